"""A small process-local cache for figures that may be a few seconds old (performance, issue 13): the
statistics endpoints' aggregates and the `count` of large list pages."""

import threading
import time


class RefreshingCache:
    """Entries live `seconds`; an expired entry is refreshed by one thread: the first request recomputes
    it and the others meanwhile answer the value of a moment ago, instead of every thread of the process
    recomputing the same query at once each time it expires. A value is never older than its lifetime
    plus one computation; a process's first request of a key computes it. `keep(value)` decides whether a
    computed value is worth keeping at all (a small count is cheap and stays exact). Bounded: emptied
    when `max_entries` is reached."""

    def __init__(self, seconds, max_entries=10_000):
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries = {}  # key -> (fresh until, value)
        self._refreshing = set()
        self._lock = threading.Lock()

    def get(self, key, compute, keep=None):
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        if entry is not None:
            with self._lock:
                if key in self._refreshing:
                    return entry[1]
                self._refreshing.add(key)
        try:
            value = compute()
            if keep is None or keep(value):
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
                self._entries[key] = (time.monotonic() + self.seconds, value)
            else:
                self._entries.pop(key, None)
        finally:
            if entry is not None:
                with self._lock:
                    self._refreshing.discard(key)
        return value

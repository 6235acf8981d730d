"""A progress bar for management commands on Django's `OutputWrapper` (no dependency): redrawn in place
on a terminal, one line per tenth of the work otherwise (logs, CI, tests)."""

import time

WIDTH = 30


class Progress:
    def __init__(self, stdout, total, label):
        self.stdout = stdout
        self.total = max(total, 0)
        self.label = label
        self.done = 0
        self.started = time.monotonic()
        self.tty = stdout.isatty()
        self._last_tenth = -1

    def advance(self, count=1):
        self.done = min(self.total, self.done + count)
        self._draw()

    def _draw(self):
        fraction = self.done / self.total if self.total else 1
        if self.tty:
            filled = int(WIDTH * fraction)
            bar = "#" * filled + "." * (WIDTH - filled)
            self.stdout.write(f"\r{self.label} [{bar}] {self.done}/{self.total}", ending="")
            self.stdout.flush()
            return
        tenth = int(fraction * 10)
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            self.stdout.write(f"{self.label}: {self.done}/{self.total} ({tenth * 10}%)")

    def finish(self):
        """Ends the bar's line; returns the seconds taken."""
        if self.tty:
            self.stdout.write("")
        return time.monotonic() - self.started

"""A provider that accepts connections and never answers (no HTTP status line, no SMTP greeting): the
client's own timeout is the only way out."""

import socket
import threading


class SilentServer:
    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.stopped = threading.Event()
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self):
        return self.listener.getsockname()[1]

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def _accept(self):
        self.listener.settimeout(0.05)
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(conn)  # kept open, never written to

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stopped.set()
        self.thread.join()
        for conn in self.held:
            conn.close()
        self.listener.close()

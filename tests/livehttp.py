"""A live HTTP server for concurrency tests: Django's LiveServerThread with a listen backlog large
enough for dozens of simultaneous connections (Django's default of 10 resets the rest)."""

from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread, _StaticFilesHandler


class _BacklogServer(ThreadedWSGIServer):
    request_queue_size = 256


class _BacklogLiveServerThread(LiveServerThread):
    server_class = _BacklogServer


def start_live_server():
    thread = _BacklogLiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override={})
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    return thread, f"http://127.0.0.1:{thread.port}"

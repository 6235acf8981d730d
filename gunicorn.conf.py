"""Gunicorn reads ./gunicorn.conf.py by itself: with PROMETHEUS_MULTIPROC_DIR set, the request metrics of
all workers are kept in that directory and added up by /metrics (hotline/api/metrics.py), so a scrape
does not see one worker's counts at random. The directory is emptied at start and a dead worker's files
are marked, as prometheus_client's multiprocess mode requires."""

import os
from pathlib import Path


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for leftover in path.glob("*.db"):
            leftover.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

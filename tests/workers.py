"""Running Procrastinate's real worker from the tests (hotline/jobs.py).

`JobQueue.run()` starts a worker in this process with its own database connections, runs every job
that is due, and stops: the jobs must be committed, so tests that use it run with `transactional_db`
(the `job_queue` fixture). `worker_process()` starts `manage.py procrastinate worker` as a separate
process on the test database, for the tests that need several workers at once."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection
from procrastinate.contrib.django import app
from procrastinate.contrib.django.db_cleanup import close_db_connections
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob

ROOT = Path(__file__).resolve().parent.parent
TABLES = "procrastinate_periodic_defers, procrastinate_events, procrastinate_jobs, procrastinate_workers"


def clear_queue():
    """Procrastinate's tables are not Django-managed, so the test database flush leaves them: empty them."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLES} CASCADE")


def close_connection(call_next, context, worker):
    """The worker's threads keep their connections for CONN_MAX_AGE: close them, so the test database
    can be dropped at the end of the session."""
    try:
        return call_next()
    finally:
        connection.close()


class JobQueue:
    def run(self):
        """One worker pass over every job due now (a job scheduled later by a retry waits)."""
        with app.replace_connector(app.connector.get_worker_connector()):
            app.run_worker(
                wait=False,
                install_signal_handlers=False,
                listen_notify=False,
                task_middleware=[close_db_connections, close_connection],
            )

    def jobs(self, task_name):
        return list(ProcrastinateJob.objects.filter(task_name=task_name).order_by("id"))

    def job(self, task_name):
        (only,) = self.jobs(task_name)
        return only

    def make_due(self, job):
        """Time passes: a job a retry scheduled for later becomes due now."""
        with connection.cursor() as cursor:
            cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = %s", [job.id])

    def events(self, job):
        return list(
            ProcrastinateEvent.objects.filter(job_id=job.id).order_by("id").values_list("type", flat=True)
        )


def database_url():
    """The test database's URL (pytest-django renamed the database in the connection's settings)."""
    params = connection.settings_dict
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    return f"postgres://{quote(params['USER'], safe='')}{password}@{host}:{params['PORT'] or 5432}/{params['NAME']}"


def environment(**env):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hotline.test_settings",
        "DATABASE_URL": database_url(),
        **{key: str(value) for key, value in env.items()},
    }


def manage(*args, stdin=""):
    """Run `manage.py *args` as a separate process on the test database; returns its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        input=stdin,
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout + done.stderr


def worker_process(name, log_dir, **env):
    """`manage.py procrastinate worker` (the Procfile's worker) on the test database, as a separate
    process; its output goes to `log_dir/<name>.log`."""
    log = open(Path(log_dir) / f"{name}.log", "w")  # noqa: SIM115 (closed by stop_workers)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker", "--name", name],
        cwd=ROOT,
        env=environment(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log
    return process


def stop_workers(*processes):
    """SIGTERM: each worker finishes its running job and stops (a graceful stop, as on a deploy)."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.log.close()


def wait_for(condition, timeout=90):
    """Poll `condition()` (reading the database) until it is true; False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()

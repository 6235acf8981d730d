"""Background jobs: Procrastinate on PostgreSQL, inline after commit on the embedded SQLite default.

Tasks live in each app's `tasks.py` (found by Procrastinate's autodiscovery) and are enqueued with
`enqueue(task, **kwargs)`: on PostgreSQL the job row is written through Django's own connection, so it
belongs to the caller's transaction (a rollback leaves no job, a commit always has its job), and a
`worker` process (`python manage.py procrastinate worker`, the Procfile) runs it, with the task's retry
strategy. On SQLite (`make run` without DATABASE_URL) there is no queue: the job runs once in the web
process after the transaction commits, and the worker process runs only the periodic tasks, from an
in-memory queue of its own.

Periodic tasks are declared with `@app.periodic(cron=..., periodic_id=...)` over `@app.task(...)`; every
worker runs the scheduler, and PostgreSQL's unique row per (task, period) makes each period's job exist
once however many workers there are.
"""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)

__all__ = ["app", "enqueue", "jobs_queued", "provider_retry"]


def jobs_queued():
    """Whether jobs go through the PostgreSQL queue (False: inline after commit, on SQLite)."""
    return settings.JOBS_QUEUED


class ProviderRetry(RetryStrategy):
    """Exponential backoff (JOB_RETRY_BASE_SECONDS ** n seconds before the n-th retry: 3, 9, 27 … by
    default) for JOB_MAX_RETRIES retries (8 by default: about 2 h 45 min in all), then the job stays
    `failed` for an operator to retry. Reads the settings at each decision, so tests and operators may
    change them without re-registering the tasks."""

    def __init__(self, max_retries=None):
        self.max_retries = max_retries

    def get_retry_decision(self, *, exception, job):
        retries = settings.JOB_MAX_RETRIES
        if self.max_retries is not None:
            retries = min(retries, self.max_retries)
        if retries <= 0:  # Procrastinate reads max_attempts=0 as "no limit"
            return None
        strategy = RetryStrategy(max_attempts=retries, exponential_wait=settings.JOB_RETRY_BASE_SECONDS)
        return strategy.get_retry_decision(exception=exception, job=job)


def provider_retry(max_retries=None):
    """The retry strategy of a call to an outside provider (IM import and kick, alerts, verification
    codes); `max_retries` caps JOB_MAX_RETRIES for work that is useless after a while."""
    return ProviderRetry(max_retries)


def _run_inline(task, kwargs):
    try:
        task(**kwargs)
    except Exception:
        # SQLite development mode only: nothing would retry it, so say it loudly.
        logger.exception("Inline job %s failed", task.name)


def enqueue(task, **kwargs):
    """Enqueue `task(**kwargs)` as part of the current transaction."""
    if jobs_queued():
        task.defer(**kwargs)
    else:
        transaction.on_commit(partial(_run_inline, task, kwargs))


@app.periodic(cron=settings.JOB_PRUNE_CRON, periodic_id="prune_finished_jobs")
@app.task(name="hotline.prune_finished_jobs", pass_context=True, queueing_lock="hotline.prune_finished_jobs")
async def prune_finished_jobs(context, timestamp):
    """Delete the jobs that succeeded more than JOB_KEEP_DAYS ago, with their events (the timeout alone
    adds 1 440 a day). Failed jobs stay until an operator retries them."""
    await context.app.job_manager.delete_old_jobs(nb_hours=settings.JOB_KEEP_DAYS * 24)


def on_app_ready(procrastinate_app):
    """PROCRASTINATE_ON_APP_READY: without PostgreSQL, the worker keeps its queue in memory (it then
    runs the periodic tasks only; `enqueue` runs the other jobs inline in the web process), and the
    admin has no job list (there are no job tables). With the queue, `/metrics` gains the job gauges."""
    if jobs_queued():
        _register_gauges()
        return
    from django.contrib import admin
    from procrastinate.contrib.django.django_connector import DjangoConnector
    from procrastinate.contrib.django.models import ProcrastinateJob
    from procrastinate.testing import InMemoryConnector

    if admin.site.is_registered(ProcrastinateJob):
        admin.site.unregister(ProcrastinateJob)

    class InMemoryWorkerConnector(DjangoConnector):
        def get_worker_connector(self):
            return InMemoryConnector()

    connector = InMemoryWorkerConnector()
    procrastinate_app.connector = connector
    procrastinate_app.job_manager.connector = connector


def jobs_in(status):
    """Jobs of the PostgreSQL queue in one status (one count over procrastinate's status index)."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    return ProcrastinateJob.objects.filter(status=status).count()


def _register_gauges():
    from hotline.api.metrics import register_gauge

    register_gauge("hotline_jobs_queued", "Background jobs waiting for a worker.", partial(jobs_in, "todo"))
    register_gauge(
        "hotline_jobs_failed",
        "Background jobs that used up their retries (README, Background jobs).",
        partial(jobs_in, "failed"),
    )

"""The conversation timeout runs as a periodic job of the worker (hotline/jobs.py, conversations/tasks.py):
the Procfile's worker, started on the test database, schedules it and closes an overdue conversation."""

from datetime import timedelta

from django.utils import timezone

from conversations.models import Conversation
from tests.conversations.helpers import start
from tests.helpers import result_of
from tests.workers import stop_workers, wait_for, worker_process

EXPIRE = "conversations.expire_conversations"


def test_the_periodic_timeout_job_closes_an_overdue_conversation(
    job_queue, as_user, visitors, on_duty, tmp_path
):
    on_duty.max_consults = 1
    on_duty.save()
    running = result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    Conversation.objects.filter(pk=running["id"]).update(start_time=timezone.now() - timedelta(hours=2))

    worker = worker_process("scheduler", tmp_path)
    try:
        # The scheduler defers the current minute's pass as soon as it starts.
        closed = wait_for(lambda: Conversation.objects.get(pk=running["id"]).status == "TIME_OUT")
    finally:
        stop_workers(worker)
    assert closed, (tmp_path / "scheduler.log").read_text()
    assert Conversation.objects.get(pk=waiting["id"]).status == "IN_PROGRESS"
    first = job_queue.jobs(EXPIRE)[0]  # a minute boundary during the test may add the next one
    assert first.status == "succeeded" and set(first.args) == {"timestamp"}

"""Scaling (issue 14 item 8, README "Scaling"): two worker processes at once against one PostgreSQL.
Each job runs once (a job is taken with FOR UPDATE SKIP LOCKED), and each period of a periodic task has
one job however many workers run the scheduler (a unique row per task and period)."""

from collections import Counter
from datetime import timedelta

from django.utils import timezone

from conversations.models import Conversation
from tests.conftest import TIM_KEY
from tests.conversations.helpers import start
from tests.helpers import make_user, md5, put_on_duty, result_of
from tests.workers import stop_workers, wait_for, worker_process
from users.models import UserType

IMPORT = "messages.import_im_account"
EXPIRE = "conversations.expire_conversations"
STAFF = [f"staff{i:02d}" for i in range(16)]
PERIODS = 4


def test_two_workers_run_each_job_once_and_each_period_once(
    job_queue, as_user, tim, ecnu, inst_admin, counselor, tmp_path
):
    for username in STAFF:
        body = {"username": username, "password": md5("pw"), "role": "ROLE_COUNSELOR"}
        result_of(as_user(inst_admin).put("/user/ms", body, format="json"))
    put_on_duty(counselor)
    visitor = make_user(UserType.VISITOR, inst=ecnu, name="访客")
    overdue = result_of(start(as_user(visitor), counselor))
    Conversation.objects.filter(pk=overdue["id"]).update(start_time=timezone.now() - timedelta(hours=2))
    assert len(job_queue.jobs(IMPORT)) == len(STAFF)

    env = {
        "TIM_SDKAPPID": tim.sdkappid,
        "TIM_SECRET_KEY": TIM_KEY,
        "TIM_API_BASE": tim.base_url,
        "CONVERSATION_EXPIRE_CRON": "* * * * * */2",  # every 2 seconds, to see several periods
    }
    workers = [worker_process(name, tmp_path, **env) for name in ("worker-a", "worker-b")]

    def done():
        imports = job_queue.jobs(IMPORT)
        passes = [job for job in job_queue.jobs(EXPIRE) if job.status == "succeeded"]
        return all(job.status == "succeeded" for job in imports) and len(passes) >= PERIODS

    try:
        finished = wait_for(done)
    finally:
        stop_workers(*workers)
    logs = {name: (tmp_path / f"{name}.log").read_text() for name in ("worker-a", "worker-b")}
    assert finished, logs
    assert all("Starting worker" in log for log in logs.values()), logs

    # Each job ran once: each user imported once, each job started once.
    assert sorted(item["UserID"] for item in tim.imported) == STAFF
    for job in job_queue.jobs(IMPORT):
        assert job_queue.events(job).count("started") == 1

    # Each period once: both schedulers ran, one job per period, each run once.
    passes = job_queue.jobs(EXPIRE)
    periods = Counter(job.args["timestamp"] for job in passes)
    assert len(periods) >= PERIODS and set(periods.values()) == {1}
    for job in passes:
        assert job_queue.events(job).count("started") <= 1  # the last may still wait when workers stop
    assert Conversation.objects.get(pk=overdue["id"]).status == "TIME_OUT"

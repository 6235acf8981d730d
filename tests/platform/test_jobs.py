"""Background jobs on Procrastinate (issue 14 item 1, CONTRACT §11): a job is enqueued in the
transaction of the data it acts on, provider calls are retried with exponential backoff, and a job that
keeps failing stays in the admin's job list, where an operator retries it. The worker is Procrastinate's
own, run by `job_queue` (tests/workers.py) against the test database; the IM service is the local fake."""

import logging

import pytest
from django.db import connection, transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from hotline.jobs import prune_finished_jobs
from messages.models import ImAccount
from tests.helpers import md5, result_of
from tests.workers import manage
from users import services as user_services
from users.models import User, UserType

IMPORT = "messages.import_im_account"
KICK = "messages.kick_im_account"


class Boom(Exception):
    pass


METRICS_TOKEN = "metrics-token-0123456789abcdef"


def job_gauges(client):
    """(queued, failed) as /metrics shows them."""
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}").content.decode()
    values = dict(line.split(" ") for line in text.splitlines() if line.startswith("hotline_jobs_"))
    return int(float(values["hotline_jobs_queued"])), int(float(values["hotline_jobs_failed"]))


def create_staff(as_user, admin, username):
    body = {"username": username, "password": md5("pw"), "role": "ROLE_COUNSELOR"}
    return result_of(as_user(admin).put("/user/ms", body, format="json"))


def seconds_until(job):
    return (job.scheduled_at - timezone.now()).total_seconds()


def test_a_committed_request_has_its_job_and_the_worker_runs_it(job_queue, as_user, tim, inst_admin):
    create_staff(as_user, inst_admin, "newbie")
    user = User.objects.get(username="newbie")
    job = job_queue.job(IMPORT)
    assert job.status == "todo" and job.args == {"user_id": user.pk}
    assert tim.imported == []  # the request itself calls no provider
    job_queue.run()
    assert [item["UserID"] for item in tim.imported] == ["newbie"]
    assert job_queue.job(IMPORT).status == "succeeded"
    assert ImAccount.objects.get(user=user).imported_at is not None


def test_a_ban_has_its_kick_job(job_queue, as_user, tim, inst_admin, counselor):
    result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))
    assert job_queue.job(KICK).args == {"username": "liMeijin"}
    job_queue.run()
    assert tim.kicked == [{"UserID": "liMeijin"}]


def test_a_rolled_back_transaction_leaves_no_job(job_queue, tim, inst_admin, counselor):
    with pytest.raises(Boom), transaction.atomic():
        user_services.user_create(
            actor=inst_admin, username="ghost", password_md5=md5("pw"), user_type=UserType.COUNSELOR
        )
        user_services.user_set_enabled(actor=inst_admin, user=counselor, enabled=False)
        assert len(job_queue.jobs(IMPORT)) == 1 and len(job_queue.jobs(KICK)) == 1  # inside, they exist
        raise Boom
    assert not User.objects.filter(username="ghost").exists()
    assert job_queue.jobs(IMPORT) == [] and job_queue.jobs(KICK) == []
    job_queue.run()
    assert tim.imported == [] and tim.kicked == []


def test_a_failing_provider_is_retried_with_exponential_backoff(
    job_queue, as_user, tim, inst_admin, counselor, settings, caplog
):
    settings.JOB_RETRY_BASE_SECONDS = 60  # waits 60 s, then 3600 s
    caplog.set_level(logging.INFO)
    tim.fail_next = 1
    tim.http_error_next = 1
    result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))

    job_queue.run()
    job = job_queue.job(KICK)
    assert job.status == "todo" and job.attempts == 1 and tim.kicked == []
    assert 0 < seconds_until(job) <= 60
    job_queue.run()  # not due yet: nothing runs
    assert job_queue.job(KICK).attempts == 1

    job_queue.make_due(job)
    job_queue.run()
    job = job_queue.job(KICK)
    assert job.status == "todo" and job.attempts == 2 and tim.kicked == []
    assert 60 < seconds_until(job) <= 3600

    job_queue.make_due(job)
    job_queue.run()
    job = job_queue.job(KICK)
    assert job.status == "succeeded" and tim.kicked == [{"UserID": "liMeijin"}]
    assert job_queue.events(job).count("started") == 3

    # Operators read why it failed; the administrator UserSig in the request URL never shows.
    assert "IM kick of liMeijin failed" in caplog.text and "ErrorCode=70169" in caplog.text
    assert "usersig" not in caplog.text.lower() and "/v4/" not in caplog.text
    assert all(sig not in caplog.text for sig in tim.usersigs)


def test_a_failing_import_records_its_error_and_is_retried(job_queue, as_user, tim, inst_admin):
    tim.fail_next = 1
    create_staff(as_user, inst_admin, "newbie")
    job_queue.run()
    account = ImAccount.objects.get(user__username="newbie")
    assert account.imported_at is None and account.last_error == "ImRestError ErrorCode=70169"
    job_queue.make_due(job_queue.job(IMPORT))
    job_queue.run()
    account.refresh_from_db()
    assert account.imported_at is not None and account.attempts == 2
    assert [item["UserID"] for item in tim.imported] == ["newbie"]


def test_a_job_that_keeps_failing_is_listed_for_operators_who_retry_it(
    job_queue, client, as_user, tim, sysadmin, inst_admin, counselor, settings
):
    settings.JOB_MAX_RETRIES = 2
    settings.METRICS_TOKEN = METRICS_TOKEN
    tim.fail_next = 10
    result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))
    assert job_gauges(client) == (1, 0)
    for _ in range(4):
        job_queue.run()
        job = job_queue.job(KICK)
        if job.status != "todo":
            break
        job_queue.make_due(job)
    assert job.status == "failed" and job.attempts == 3 and tim.kicked == []  # the first run, 2 retries
    job_queue.run()  # a failed job stays failed
    assert job_queue.job(KICK).status == "failed"
    assert job_gauges(client) == (0, 1)  # /metrics shows operators the failed job

    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.post("/admin/login/", {"username": "root", "password": "secret123", "next": "/admin/"})
    page = client.get("/admin/procrastinate/procrastinatejob/", {"status": "failed"})
    assert page.status_code == 200
    text = page.content.decode()
    assert f">{job.id}<" in text and "kick_im_account" in text

    tim.fail_next = 0  # the provider is back
    response = client.post(
        "/admin/procrastinate/procrastinatejob/", {"action": "retry", "_selected_action": [job.pk]}
    )
    assert response.status_code == 302
    assert job_queue.job(KICK).status == "todo"
    job_queue.run()
    assert job_queue.job(KICK).status == "succeeded"
    assert tim.kicked == [{"UserID": "liMeijin"}]


def test_the_job_list_is_for_superusers_only(job_queue, client, inst_admin):
    inst_admin.is_staff = True
    inst_admin.save()
    client.post("/admin/login/", {"username": "ecnu_admin", "password": "secret123", "next": "/admin/"})
    assert client.get("/admin/procrastinate/procrastinatejob/").status_code == 403


def test_succeeded_jobs_are_pruned_after_the_keep_days_and_failed_ones_stay(
    job_queue, as_user, tim, inst_admin, counselor, settings
):
    settings.JOB_KEEP_DAYS = 7
    settings.JOB_MAX_RETRIES = 0
    create_staff(as_user, inst_admin, "old")
    create_staff(as_user, inst_admin, "recent")
    job_queue.run()
    tim.fail_next = 1
    result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))
    job_queue.run()
    old, recent = job_queue.jobs(IMPORT)
    failed = job_queue.job(KICK)
    assert failed.status == "failed"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_events SET at = now() - interval '8 days' WHERE job_id IN (%s, %s)",
            [old.id, failed.id],
        )
    prune_finished_jobs.defer(timestamp=0)
    job_queue.run()
    assert [job.id for job in job_queue.jobs(IMPORT)] == [recent.id]
    assert job_queue.job(KICK).status == "failed"


@pytest.mark.django_db
def test_without_the_queue_a_job_runs_inline_after_commit(
    as_user, tim, inst_admin, settings, caplog, django_capture_on_commit_callbacks
):
    """`make run` on SQLite has no queue: the job runs once, in the web process, after the commit; a
    failure is logged and never fails the request."""
    settings.JOBS_QUEUED = False
    with django_capture_on_commit_callbacks(execute=True):
        create_staff(as_user, inst_admin, "newbie")
    assert [item["UserID"] for item in tim.imported] == ["newbie"]
    tim.fail_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        create_staff(as_user, inst_admin, "unlucky")
    assert "Inline job messages.import_im_account failed" in caplog.text
    assert [item["UserID"] for item in tim.imported] == ["newbie"]
    assert not ProcrastinateJob.objects.exists()


@pytest.mark.django_db
def test_without_the_queue_a_rolled_back_job_never_runs(
    tim, inst_admin, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_QUEUED = False
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Boom), transaction.atomic():
        user_services.user_create(
            actor=inst_admin, username="ghost", password_md5=md5("pw"), user_type=UserType.COUNSELOR
        )
        raise Boom
    assert tim.imported == []


def test_operators_list_and_retry_failed_jobs_from_the_shell(
    job_queue, as_user, tim, inst_admin, counselor, settings
):
    settings.JOB_MAX_RETRIES = 0
    tim.fail_next = 1
    result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))
    job_queue.run()
    job = job_queue.job(KICK)
    assert job.status == "failed"
    output = manage("procrastinate", "shell", stdin=f"list_jobs status=failed\nretry {job.id}\n")
    assert f"#{job.id} messages.kick_im_account" in output, output
    assert job_queue.job(KICK).status == "todo"
    job_queue.run()
    assert tim.kicked == [{"UserID": "liMeijin"}]

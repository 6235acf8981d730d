"""`python manage.py purge_expired`: transcripts and visitors past RETENTION_DAYS, audit rows past
AUDIT_RETENTION_DAYS; open conversations are never touched; statistics still count; idempotent."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from conversations.models import Conversation
from evaluations.models import Evaluation
from messages.models import Message
from tests.helpers import result_of
from tests.messages.helpers import message, post_callback
from tests.retention.conftest import messages_of
from users.models import AuditEntry, User


def purge():
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_with_retention_off_nothing_is_purged_and_the_run_is_audited(settings, aged_session, new_visitor):
    settings.RETENTION_DAYS = 0
    visitor = new_visitor()
    session = aged_session(visitor, days_ago=400)
    output = purge()
    assert "RETENTION_DAYS is 0" in output and "0 visitors anonymised" in output
    assert messages_of(session) == 2
    visitor.refresh_from_db()
    assert visitor.erased_at is None and visitor.name == "张同学"
    run = AuditEntry.objects.get(action="retention.purge")
    assert run.detail["visitors"] == 0 and run.detail["retentionDays"] == 0 and run.actor_id is None


@pytest.mark.django_db
def test_expired_transcripts_and_visitors_go_statistics_still_count(
    settings, aged_session, new_visitor, as_user, inst_admin, counselor
):
    settings.RETENTION_DAYS = 1
    old_visitor, recent_visitor = new_visitor("老访客"), new_visitor("新访客")
    old = aged_session(old_visitor, days_ago=3)  # ended two days ago: past the one-day retention
    recent = aged_session(recent_visitor, days_ago=0)
    admin = as_user(inst_admin)
    before = result_of(admin.get("/conversation/7statistics"))
    listed_before = admin.get("/conversation/consultlist").json()["count"]

    output = purge()

    assert "1 visitors anonymised, 1 transcripts (2 messages) deleted" in output
    assert messages_of(old) == 0 and messages_of(recent) == 2
    assert result_of(admin.get("/message/conversation/web", {"conversationId": old.pk})) == []
    assert Conversation.objects.filter(pk=old.pk).exists()
    evaluation = Evaluation.objects.get(conversation=old)
    assert evaluation.content == "" and evaluation.level == 4  # the rating counts, the words are gone
    assert Evaluation.objects.get(conversation=recent).content == "谢谢老师，我好多了"
    assert result_of(admin.get("/conversation/7statistics")) == before
    assert admin.get("/conversation/consultlist").json()["count"] == listed_before
    old_visitor.refresh_from_db()
    assert old_visitor.erased_at is not None and old_visitor.username == f"erased-{old_visitor.pk}"
    assert (old_visitor.name, old_visitor.phone_number, old_visitor.id_number) == ("", "", "")
    assert (old_visitor.emergency_contact, old_visitor.emergency_phone) == ("", "")
    assert not old_visitor.enabled and not old_visitor.has_usable_password()
    recent_visitor.refresh_from_db()
    assert recent_visitor.erased_at is None and recent_visitor.name == "新访客"
    run = AuditEntry.objects.get(action="retention.purge")
    assert (run.detail["visitors"], run.detail["conversations"], run.detail["messages"]) == (1, 1, 2)
    erased = AuditEntry.objects.get(action="visitor.erase")
    assert erased.object_id == old_visitor.pk and erased.detail["reason"] == "retention"


@pytest.mark.django_db
def test_open_conversations_are_never_purged(settings, aged_session, new_visitor):
    settings.RETENTION_DAYS = 1
    visitor = new_visitor()
    session = aged_session(visitor, days_ago=30, open=True)
    purge()
    assert messages_of(session) == 2
    visitor.refresh_from_db()
    assert visitor.erased_at is None and visitor.name == "张同学"


@pytest.mark.django_db
def test_a_second_run_finds_nothing(settings, aged_session, new_visitor):
    settings.RETENTION_DAYS = 1
    aged_session(new_visitor(), days_ago=3)
    purge()
    output = purge()
    assert "0 visitors anonymised, 0 transcripts (0 messages) deleted" in output
    assert [row.detail["visitors"] for row in AuditEntry.objects.filter(action="retention.purge")] in (
        [1, 0],
        [0, 1],
    )


@pytest.mark.django_db
def test_old_messages_of_unknown_conversations_go_too(settings, anon, tim):
    settings.RETENTION_DAYS = 1
    old_at = int((timezone.now() - timedelta(days=5)).timestamp())
    post_callback(anon, message("orphan-old", "", at=old_at))
    post_callback(anon, message("orphan-new", "", at=int(timezone.now().timestamp())))
    purge()
    assert list(Message.objects.values_list("msg_key", flat=True)) == ["orphan-new"]


def insert_aged_audit_row(days):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO users_auditentry (actor_username, action, object_type, object_id, object_ids, detail, ip, "
            "created_at) VALUES ('old', 'old.row', 'x', '1', '[]', '{}', '', %s) RETURNING id",
            [timezone.now() - timedelta(days=days)],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_audit_rows_past_their_retention_are_deleted(settings):
    settings.AUDIT_RETENTION_DAYS = 200
    kept = insert_aged_audit_row(days=190)
    insert_aged_audit_row(days=210)
    output = purge()
    assert "1 audit rows deleted" in output
    assert set(AuditEntry.objects.filter(action="old.row").values_list("pk", flat=True)) == {kept}
    assert AuditEntry.objects.get(action="retention.purge").detail["audit"] == 1


@pytest.mark.django_db
def test_a_visitor_who_signed_in_recently_is_kept(settings, aged_session, new_visitor):
    settings.RETENTION_DAYS = 1
    visitor = new_visitor()
    aged_session(visitor, days_ago=3)
    User.objects.filter(pk=visitor.pk).update(last_login=timezone.now())
    purge()
    visitor.refresh_from_db()
    assert visitor.erased_at is None


@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_time_share_the_work(settings, aged_session, new_visitor):
    settings.RETENTION_DAYS = 1
    visitors = [new_visitor(f"访客{index}") for index in range(12)]
    for visitor in visitors:
        aged_session(visitor, days_ago=3)
    errors = []

    def run():
        try:
            call_command("purge_expired", "--batch-size", "2", stdout=io.StringIO())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert User.objects.filter(pk__in=[v.pk for v in visitors], erased_at__isnull=False).count() == 12
    assert AuditEntry.objects.filter(action="visitor.erase").count() == 12  # each visitor once
    assert not Message.objects.exists()
    runs = AuditEntry.objects.filter(action="retention.purge")
    assert sum(run.detail["visitors"] for run in runs) == 12
    assert sum(run.detail["conversations"] for run in runs) == 12


def test_the_worker_runs_the_nightly_pass(job_queue, settings, aged_session, new_visitor):
    """RETENTION_PURGE_CRON schedules the same pass in the worker (hotline/retention/tasks.py)."""
    import time

    from hotline.retention.tasks import purge_expired_periodically

    settings.RETENTION_DAYS = 1
    visitor = new_visitor()
    session = aged_session(visitor, days_ago=3)
    purge_expired_periodically.defer(timestamp=int(time.time()))
    job_queue.run()
    assert {job.status for job in job_queue.jobs("retention.purge_expired")} == {"succeeded"}
    visitor.refresh_from_db()
    assert visitor.erased_at is not None and messages_of(session) == 0
    runs = AuditEntry.objects.filter(action="retention.purge")
    assert sum(run.detail["visitors"] for run in runs) == 1 and all(run.actor_id is None for run in runs)

"""Timeouts: the scheduler's expire_conversations pass writes them; reads show them without writing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations.models import Conversation
from conversations.services import conversations_expire
from tests.conversations.helpers import start
from tests.helpers import result_of


@pytest.mark.django_db
def test_expire_command_times_out_and_promotes(as_user, visitors, on_duty, settings):
    settings.CONVERSATION_TIMEOUT_MINUTES = 0.5
    on_duty.max_consults = 1
    on_duty.save()
    running = result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    Conversation.objects.filter(pk=running["id"]).update(start_time=timezone.now() - timedelta(minutes=1))
    call_command("expire_conversations")
    timed_out = Conversation.objects.get(pk=running["id"])
    assert timed_out.status == "TIME_OUT" and timed_out.duration == 30_000
    assert Conversation.objects.get(pk=waiting["id"]).status == "IN_PROGRESS"
    on_duty.refresh_from_db()
    assert on_duty.total_time == 30_000


@pytest.mark.django_db
def test_reads_never_show_an_overdue_conversation_in_progress(
    as_user, visitor, on_duty, inst_admin, settings
):
    settings.CONVERSATION_TIMEOUT_MINUTES = 0.05  # 3 seconds
    conversation = result_of(start(as_user(visitor), on_duty))
    Conversation.objects.filter(pk=conversation["id"]).update(
        start_time=timezone.now() - timedelta(seconds=4)
    )
    assert result_of(as_user(visitor).get("/conversation/current"))["status"] == "TIME_OUT"
    assert result_of(as_user(inst_admin).get("/conversation/consultlist"))[0]["status"] == "TIME_OUT"


@pytest.mark.django_db
def test_waiting_conversations_do_not_time_out(as_user, visitors, on_duty, settings):
    settings.CONVERSATION_TIMEOUT_MINUTES = 0.05
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    Conversation.objects.filter(pk=waiting["id"]).update(created_at=timezone.now() - timedelta(hours=2))
    call_command("expire_conversations")
    assert Conversation.objects.get(pk=waiting["id"]).status == "WAITING"


def writes_in(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.mark.django_db
def test_reading_an_overdue_session_writes_nothing(as_user, visitor, on_duty, inst_admin, settings):
    settings.CONVERSATION_TIMEOUT_MINUTES = 0.5
    conversation = result_of(start(as_user(visitor), on_duty))
    started = timezone.now() - timedelta(minutes=2)
    Conversation.objects.filter(pk=conversation["id"]).update(start_time=started)
    admin, client = as_user(inst_admin), as_user(visitor)  # signing in writes tokens: not captured
    with CaptureQueriesContext(connection) as consultlist:
        shown = result_of(admin.get("/conversation/consultlist"))[0]
    with CaptureQueriesContext(connection) as current:
        mine = result_of(client.get("/conversation/current"))
    assert writes_in(consultlist.captured_queries) == [] and writes_in(current.captured_queries) == []
    for row in (shown, mine):
        assert row["status"] == "TIME_OUT" and row["duration"] == 30_000 and row["queuePosition"] is None
        assert row["endTime"] == int(started.timestamp() * 1000) + 30_000
    assert Conversation.objects.get(pk=conversation["id"]).status == "IN_PROGRESS"  # the scheduler writes it


@pytest.mark.django_db
def test_consultlist_filters_an_overdue_session_by_its_shown_status(
    as_user, visitor, on_duty, inst_admin, settings
):
    settings.CONVERSATION_TIMEOUT_MINUTES = 0.5
    conversation = result_of(start(as_user(visitor), on_duty))
    Conversation.objects.filter(pk=conversation["id"]).update(
        start_time=timezone.now() - timedelta(minutes=2)
    )
    admin = as_user(inst_admin)
    assert [r["id"] for r in result_of(admin.get("/conversation/consultlist?status=TIME_OUT"))] == [
        conversation["id"]
    ]
    assert result_of(admin.get("/conversation/consultlist?status=IN_PROGRESS")) == []


@pytest.mark.django_db
def test_an_overdue_session_holds_no_place_when_a_visitor_starts(as_user, visitors, on_duty, settings):
    settings.CONVERSATION_TIMEOUT_MINUTES = 0.5
    on_duty.max_consults = 1
    on_duty.save()
    overdue = result_of(start(as_user(visitors[0]), on_duty))
    Conversation.objects.filter(pk=overdue["id"]).update(start_time=timezone.now() - timedelta(minutes=1))
    assert result_of(start(as_user(visitors[1]), on_duty))["status"] == "IN_PROGRESS"
    # The start transaction stored the timeout it relied on.
    stored = Conversation.objects.get(pk=overdue["id"])
    assert stored.status == "TIME_OUT" and stored.duration == 30_000


@pytest.mark.django_db
def test_a_visitor_whose_session_is_overdue_may_start_again(as_user, visitor, on_duty, settings):
    settings.CONVERSATION_TIMEOUT_MINUTES = 0.5
    first = result_of(start(as_user(visitor), on_duty))
    Conversation.objects.filter(pk=first["id"]).update(start_time=timezone.now() - timedelta(minutes=1))
    second = result_of(start(as_user(visitor), on_duty))
    assert second["id"] != first["id"] and second["status"] == "IN_PROGRESS"


@pytest.mark.django_db
def test_the_expire_pass_is_idempotent(as_user, visitor, on_duty, settings):
    settings.CONVERSATION_TIMEOUT_MINUTES = 0.5
    conversation = result_of(start(as_user(visitor), on_duty))
    Conversation.objects.filter(pk=conversation["id"]).update(
        start_time=timezone.now() - timedelta(minutes=1)
    )
    assert conversations_expire() == 1
    assert conversations_expire() == 0
    on_duty.refresh_from_db()
    assert on_duty.total_time == 30_000

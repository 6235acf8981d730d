"""POST /conversation/end/{id}: who may end, duration and totals (seed §27)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation
from tests.conversations.helpers import start
from tests.helpers import error_of, result_of


@pytest.mark.django_db
def test_ending_sets_duration_and_counselor_total_time(as_user, visitor, on_duty):
    conversation = result_of(start(as_user(visitor), on_duty))
    Conversation.objects.filter(pk=conversation["id"]).update(
        start_time=timezone.now() - timedelta(minutes=10)
    )
    assert result_of(as_user(visitor).post(f"/conversation/end/{conversation['id']}")) == "ok"
    ended = result_of(as_user(visitor).get("/conversation/current"))
    assert ended["status"] == "FINISHED" and ended["queuePosition"] is None
    assert ended["endTime"] > ended["startTime"] and 600_000 <= ended["duration"] < 610_000
    on_duty.refresh_from_db()
    assert on_duty.total_time == ended["duration"]
    assert "会话已结束" in error_of(as_user(visitor).post(f"/conversation/end/{conversation['id']}"), 400, -2)


@pytest.mark.django_db
def test_who_may_end_a_conversation(as_user, visitors, on_duty, supervisor, inst_admin, other_admin):
    on_duty.supervisors.add(supervisor)
    ids = [result_of(start(as_user(v), on_duty))["id"] for v in visitors[:3]]
    error_of(as_user(visitors[3]).post(f"/conversation/end/{ids[0]}"), 404, -4)
    error_of(as_user(other_admin).post(f"/conversation/end/{ids[0]}"), 404, -4)
    error_of(as_user(supervisor).post(f"/conversation/end/{ids[0]}"), 403, -5)
    result_of(as_user(on_duty).post(f"/conversation/end/{ids[0]}"))
    result_of(as_user(inst_admin).post(f"/conversation/end/{ids[1]}"))
    result_of(as_user(visitors[2]).post(f"/conversation/end/{ids[2]}"))
    assert set(Conversation.objects.values_list("status", flat=True)) == {"FINISHED"}
    error_of(as_user(inst_admin).post("/conversation/end/" + "0" * 32), 404, -4)


@pytest.mark.django_db
def test_waiting_visitor_may_cancel(as_user, visitors, on_duty):
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    result_of(as_user(visitors[1]).post(f"/conversation/end/{waiting['id']}"))
    cancelled = Conversation.objects.get(pk=waiting["id"])
    assert cancelled.status == "FINISHED" and cancelled.duration == 0
    on_duty.refresh_from_db()
    assert on_duty.total_time == 0

"""PUT /conversation: who may start, capacity and the waiting queue (seed §26, CONTRACT §5)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation
from tests.conversations.helpers import start
from tests.helpers import error_of, make_user, put_on_duty, result_of
from users.models import UserType


@pytest.mark.django_db
def test_visitor_starts_a_conversation(as_user, visitor, on_duty):
    result = result_of(start(as_user(visitor), on_duty))
    assert result["status"] == "IN_PROGRESS" and result["conversationType"] == "COUNSELING_SESSION"
    assert result["endTime"] == 0 and result["duration"] == 0 and result["startTime"] > 0
    assert result["conversationId"] is None and result["conversationIds"] == [] and result["evaluate"] is None
    assert result["user"]["id"] == visitor.id and result["counselor"]["id"] == on_duty.id
    assert result["counselor"]["roles"] == "ROLE_COUNSELOR" and result["queuePosition"] == 0
    assert result["createTime"] == result["createdTime"] and len(result["id"]) == 32
    assert result["counselor"]["idNumber"] is None  # a visitor never sees a counsellor's ID number


@pytest.mark.django_db
def test_counselor_must_be_on_duty_today(as_user, visitor, counselor):
    assert "[counselor]" in error_of(start(as_user(visitor), counselor), 400, -2)
    put_on_duty(counselor, day=timezone.localdate() + timedelta(days=1))
    error_of(start(as_user(visitor), counselor), 400, -2)
    assert not Conversation.objects.exists()


@pytest.mark.django_db
def test_unknown_or_foreign_counselor_is_404(as_user, visitor, other_inst, supervisor):
    stranger = make_user(UserType.COUNSELOR, inst=other_inst)
    put_on_duty(stranger, supervisor)
    error_of(as_user(visitor).put("/conversation", {"counselor": "0" * 32}, format="json"), 404, -4)
    error_of(start(as_user(visitor), stranger), 404, -4)
    error_of(start(as_user(visitor), supervisor), 404, -4)


@pytest.mark.django_db
def test_disabled_counselor_is_refused(as_user, visitor, on_duty):
    on_duty.enabled = False
    on_duty.save()
    error_of(start(as_user(visitor), on_duty), 400, -2)


@pytest.mark.django_db
def test_only_visitors_start_conversations(as_user, on_duty, inst_admin):
    error_of(start(as_user(on_duty), on_duty), 403, -5)
    error_of(start(as_user(inst_admin), on_duty), 403, -5)


@pytest.mark.django_db
def test_start_requires_counselor_field(as_user, visitor):
    assert (
        error_of(as_user(visitor).put("/conversation", {}, format="json"), 400, -2)
        == "key [counselor] not optional"
    )


@pytest.mark.django_db
def test_one_open_conversation_per_visitor(as_user, visitor, on_duty, ecnu):
    first = result_of(start(as_user(visitor), on_duty))
    again = result_of(start(as_user(visitor), on_duty))
    assert again["id"] == first["id"]
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    put_on_duty(other)
    error_of(start(as_user(visitor), other), 400, -2)
    assert Conversation.objects.count() == 1


@pytest.mark.django_db
def test_full_counselor_queues_visitors_in_arrival_order(as_user, visitors, on_duty):
    on_duty.max_consults = 1
    on_duty.save()
    results = [result_of(start(as_user(v), on_duty)) for v in visitors[:3]]
    assert [r["status"] for r in results] == ["IN_PROGRESS", "WAITING", "WAITING"]
    assert [r["queuePosition"] for r in results] == [0, 1, 2]
    assert results[1]["startTime"] == 0
    assert result_of(as_user(visitors[2]).get("/conversation/current"))["queuePosition"] == 2
    result_of(as_user(visitors[0]).post(f"/conversation/end/{results[0]['id']}"))
    promoted = result_of(as_user(visitors[1]).get("/conversation/current"))
    assert (
        promoted["status"] == "IN_PROGRESS" and promoted["queuePosition"] == 0 and promoted["startTime"] > 0
    )
    assert result_of(as_user(visitors[2]).get("/conversation/current"))["queuePosition"] == 1


@pytest.mark.django_db
def test_lowering_max_consults_keeps_running_conversations(as_user, visitors, on_duty):
    for visitor in visitors[:2]:
        result_of(start(as_user(visitor), on_duty))
    result_of(as_user(on_duty).post("/user/maxconsults", {"maxConsults": 1}, format="json"))
    assert Conversation.objects.filter(status="IN_PROGRESS").count() == 2
    assert result_of(start(as_user(visitors[2]), on_duty))["status"] == "WAITING"


@pytest.mark.django_db
def test_raising_max_consults_starts_waiting_visitors_first(as_user, visitors, on_duty):
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    result_of(as_user(on_duty).post("/user/maxconsults", {"maxConsults": 2}, format="json"))
    assert Conversation.objects.get(pk=waiting["id"]).status == "IN_PROGRESS"
    assert result_of(start(as_user(visitors[2]), on_duty))["status"] == "WAITING"


@pytest.mark.django_db
def test_admin_raising_max_consults_starts_waiting_visitors(as_user, visitors, on_duty, inst_admin):
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    result_of(
        as_user(inst_admin).post(
            "/user/ms/counselor", {"username": on_duty.username, "maxConsults": 3}, format="json"
        )
    )
    assert Conversation.objects.get(pk=waiting["id"]).status == "IN_PROGRESS"


@pytest.mark.django_db
def test_newcomer_never_jumps_the_queue(as_user, visitors, on_duty):
    on_duty.max_consults = 1
    on_duty.save()
    first = result_of(start(as_user(visitors[0]), on_duty))
    result_of(start(as_user(visitors[1]), on_duty))
    # Capacity frees without promotion (e.g. an operator edits maxConsults in the admin).
    type(on_duty).objects.filter(pk=on_duty.pk).update(max_consults=2)
    assert result_of(start(as_user(visitors[2]), on_duty))["status"] == "WAITING"
    assert first["status"] == "IN_PROGRESS"


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["delete", "ban"])
def test_visitors_are_released_when_their_counselor_leaves(as_user, visitors, on_duty, inst_admin, ecnu, how):
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    result_of(start(as_user(visitors[1]), on_duty))
    admin = as_user(inst_admin)
    if how == "delete":
        result_of(admin.delete(f"/user/ms/counselor/{on_duty.username}"))
    else:
        result_of(admin.post(f"/user/ban/{on_duty.id}"))
    assert set(Conversation.objects.values_list("status", flat=True)) == {"FINISHED"}
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    put_on_duty(other)
    assert result_of(start(as_user(visitors[1]), other))["status"] == "IN_PROGRESS"


@pytest.mark.django_db
def test_banned_visitor_frees_its_place(as_user, visitors, on_duty, inst_admin):
    on_duty.max_consults = 1
    on_duty.save()
    result_of(start(as_user(visitors[0]), on_duty))
    waiting = result_of(start(as_user(visitors[1]), on_duty))
    result_of(as_user(inst_admin).post(f"/user/ban/{visitors[0].id}"))
    assert Conversation.objects.get(pk=waiting["id"]).status == "IN_PROGRESS"

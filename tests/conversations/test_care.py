"""Risk flag by staff, the crisis-first queue, estimated waits, transfer, the live view and the waiting
figures, through the HTTP API (CONTRACT §10)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations.models import Alert, Conversation
from messages.models import Message
from tests.conversations.helpers import start
from tests.helpers import error_of, make_user, put_on_duty, result_of
from users.models import AuditEntry, User, UserType

pytestmark = pytest.mark.django_db


def flag(client, conversation_id, level="HIGH", note="来访者表达自伤想法"):
    return client.post(f"/conversation/{conversation_id}/risk", {"level": level, "note": note}, format="json")


def test_new_fields_on_every_conversation(as_user, on_duty, visitor):
    shown = result_of(start(as_user(visitor), on_duty))
    assert shown["riskLevel"] == "NONE" and shown["riskSource"] is None and shown["riskTime"] == 0
    assert shown["estimatedWait"] == 0 and shown["transferredFrom"] is None and shown["transferredTo"] is None
    error_of(
        as_user(visitor).put("/conversation", {"counselor": on_duty.pk, "urgent": "x"}, format="json"),
        400,
        -2,
    )


def test_staff_flag_and_clear_audited(
    as_user, on_duty, visitor, supervisor, inst_admin, other_admin, counselor
):
    on_duty.supervisors.add(supervisor)
    conversation_id = result_of(start(as_user(visitor), on_duty))["id"]
    error_of(flag(as_user(visitor), conversation_id), 403, -5)
    error_of(flag(as_user(other_admin), conversation_id), 404, -4)
    error_of(flag(as_user(supervisor), conversation_id, level="LOW"), 400, -2)
    error_of(flag(as_user(supervisor), conversation_id, note="x" * 501), 400, -2)
    shown = result_of(flag(as_user(supervisor), conversation_id))
    assert (shown["riskLevel"], shown["riskSource"]) == ("HIGH", "STAFF") and shown["riskTime"] > 0
    result_of(flag(as_user(counselor), conversation_id))  # already HIGH: no second alert
    assert Alert.objects.count() == 1
    cleared = result_of(flag(as_user(inst_admin), conversation_id, level="NONE", note="已评估"))
    assert (cleared["riskLevel"], cleared["riskSource"], cleared["riskTime"]) == ("NONE", None, 0)
    notes = list(
        AuditEntry.objects.filter(action="conversation.risk").order_by("id").values_list("detail", flat=True)
    )
    assert [n["note"] for n in notes] == ["来访者表达自伤想法", "来访者表达自伤想法", "已评估"]
    assert AuditEntry.objects.filter(action="conversation.risk").count() == 3


def test_queue_mixed_flags_and_estimated_wait(as_user, on_duty, visitors, ecnu, supervisor):
    User.objects.filter(pk=on_duty.pk).update(max_consults=1)
    # history: two finished sessions of 10 and 30 minutes → median 20 min
    for minutes in (10, 30):
        Conversation.objects.create(
            status="FINISHED",
            user=make_user(UserType.VISITOR, inst=ecnu),
            counselor=on_duty,
            institution=ecnu,
            start_time=timezone.now() - timedelta(hours=2),
            end_time=timezone.now() - timedelta(hours=1),
            duration=minutes * 60_000,
        )
    extra = [make_user(UserType.VISITOR, inst=ecnu) for _ in range(2)]
    people = (visitors + extra)[:5]
    ids = [result_of(start(as_user(person), on_duty))["id"] for person in people[:3]]
    urgent = result_of(
        as_user(people[3]).put("/conversation", {"counselor": on_duty.pk, "urgent": True}, format="json")
    )["id"]
    late = result_of(start(as_user(people[4]), on_duty))["id"]
    on_duty.supervisors.add(supervisor)
    result_of(flag(as_user(supervisor), ids[2]))  # flagged after the urgent one: second in line
    current = [result_of(as_user(p).get("/conversation/current")) for p in people]
    positions = [c["queuePosition"] for c in current]
    assert positions == [0, 3, 2, 1, 4]
    assert current[3]["id"] == urgent and current[4]["id"] == late
    by_position = sorted(current, key=lambda c: c["queuePosition"])
    waits = [c["estimatedWait"] for c in by_position]
    assert waits[0] == 0 and waits == sorted(waits) and waits[1] > 0
    assert 1100 <= waits[1] <= 1200  # the running session started just now; median 20 min
    assert 1198 <= waits[2] - waits[1] <= 1202  # one median later (each read has its own clock)
    # The counsellor ends the running session: the urgent visitor starts first
    result_of(as_user(on_duty).post(f"/conversation/end/{ids[0]}"))
    assert result_of(as_user(people[3]).get("/conversation/current"))["status"] == "IN_PROGRESS"
    assert result_of(as_user(people[2]).get("/conversation/current"))["queuePosition"] == 1
    # a visitor never sees another visitor's flag through any list
    error_of(as_user(people[1]).get("/conversation/consultlist"), 403, -5)
    error_of(as_user(people[1]).get("/conversation/live"), 403, -5)


def test_transfer_at_capacity_and_below(as_user, on_duty, visitors, ecnu, inst_admin, counselor):
    other = make_user(UserType.COUNSELOR, inst=ecnu, username="other_c", max_consults=1)
    foreign = make_user(UserType.COUNSELOR, inst=make_user(UserType.VISITOR).institution)
    put_on_duty(other)
    busy = result_of(start(as_user(visitors[0]), other))["id"]
    waiting_there = result_of(start(as_user(visitors[1]), other))["id"]
    moving = result_of(start(as_user(visitors[2]), on_duty))["id"]
    result_of(flag(as_user(on_duty), moving))
    error_of(
        as_user(visitors[2]).post(f"/conversation/{moving}/transfer", {"counselor": other.pk}, format="json"),
        403,
        -5,
    )
    error_of(
        as_user(on_duty).post(f"/conversation/{moving}/transfer", {"counselor": on_duty.pk}, format="json"),
        400,
        -2,
    )
    error_of(
        as_user(on_duty).post(f"/conversation/{moving}/transfer", {"counselor": foreign.pk}, format="json"),
        400,
        -2,
    )
    off_duty = make_user(UserType.COUNSELOR, inst=ecnu)
    error_of(
        as_user(on_duty).post(f"/conversation/{moving}/transfer", {"counselor": off_duty.pk}, format="json"),
        400,
        -2,
    )
    new = result_of(
        as_user(on_duty).post(
            f"/conversation/{moving}/transfer", {"counselor": other.pk, "note": "更合适"}, format="json"
        )
    )
    # `other` is at capacity: the new session waits, HIGH ahead of the earlier routine visitor
    assert new["status"] == "WAITING" and new["queuePosition"] == 1 and new["transferredFrom"] == moving
    assert (new["riskLevel"], new["riskSource"]) == ("HIGH", "STAFF")
    assert new["counselor"]["id"] == other.pk and new["user"]["id"] == visitors[2].pk
    old = Conversation.objects.get(pk=moving)
    assert old.status == "FINISHED" and old.transferred_to_id == new["id"] and old.duration > 0
    assert result_of(as_user(visitors[2]).get("/conversation/current"))["id"] == new["id"]
    assert AuditEntry.objects.filter(action="conversation.transfer", object_id=moving).exists()
    # the new counsellor reads the old transcript
    Message.objects.create(
        msg_key="t1",
        conversation_id=moving,
        from_account=visitors[2].username,
        to_account=on_duty.username,
        msg_body=[{"MsgType": "TIMTextElem", "MsgContent": {"Text": "你好"}}],
        msg_time=1,
    )
    transcript = as_user(other).get("/message/conversation/web", {"conversationId": moving})
    assert len(result_of(transcript)) == 1
    # ending the session that held the place starts the transferred one first
    result_of(as_user(other).post(f"/conversation/end/{busy}"))
    assert Conversation.objects.get(pk=new["id"]).status == "IN_PROGRESS"
    assert Conversation.objects.get(pk=waiting_there).status == "WAITING"
    # below capacity: an administrator's transfer starts at once; a closed session is refused
    back = result_of(
        as_user(inst_admin).post(
            f"/conversation/{new['id']}/transfer", {"counselor": on_duty.pk}, format="json"
        )
    )
    assert back["status"] == "IN_PROGRESS" and back["riskLevel"] == "HIGH"
    error_of(
        as_user(inst_admin).post(f"/conversation/{moving}/transfer", {"counselor": other.pk}, format="json"),
        400,
        -2,
    )
    assert Conversation.objects.get(pk=waiting_there).status == "IN_PROGRESS"  # the place freed moved on


def test_live_view_fixed_queries(as_user, on_duty, visitors, supervisor, inst_admin, other_admin, counselor):
    on_duty.supervisors.add(supervisor)
    User.objects.filter(pk=on_duty.pk).update(max_consults=1)
    ids = [result_of(start(as_user(v), on_duty))["id"] for v in visitors[:2]]
    for seq in range(3):
        Message.objects.create(
            msg_key=f"m{seq}",
            conversation_id=ids[0],
            from_account=visitors[0].username if seq % 2 else on_duty.username,
            to_account=on_duty.username if seq % 2 else visitors[0].username,
            msg_time=1700000000 + seq,
        )
    # A message naming the session from someone else is not the session's (as in its transcript).
    Message.objects.create(
        msg_key="forged",
        conversation_id=ids[0],
        from_account="stranger",
        to_account=on_duty.username,
        msg_time=1900000000,
    )

    def live(user):
        with CaptureQueriesContext(connection) as queries:
            response = as_user(user).get("/conversation/live")
        return response, len(queries)

    response, few = live(supervisor)
    rows = result_of(response)
    assert [r["id"] for r in rows] == ids and response.json()["count"] == 2
    assert rows[0]["messageCount"] == 3 and rows[0]["lastMessageTime"] == 1700000002000
    assert rows[1]["messageCount"] == 0 and rows[1]["lastMessageTime"] == 0
    result_of(flag(as_user(supervisor), ids[1]))
    for v in visitors[2:]:
        result_of(start(as_user(v), on_duty))
    response, many = live(supervisor)
    rows = result_of(response)
    assert rows[0]["id"] == ids[1] and rows[0]["riskLevel"] == "HIGH" and len(rows) == 4
    assert many == few
    assert len(result_of(as_user(inst_admin).get("/conversation/live"))) == 4
    assert result_of(as_user(other_admin).get("/conversation/live")) == []
    error_of(as_user(counselor).get("/conversation/live"), 403, -5)


def test_wait_statistics_on_a_known_dataset(as_user, inst_admin, other_admin, counselor, ecnu, supervisor):
    now = timezone.now()

    def session(wait_s, *, waited=True, started=True, status="FINISHED", risk="NONE"):
        created = now - timedelta(hours=1)
        conversation = Conversation.objects.create(
            status=status,
            user=make_user(UserType.VISITOR, inst=ecnu),
            counselor=counselor,
            institution=ecnu,
            start_time=created + timedelta(seconds=wait_s) if started else None,
            was_waiting=waited,
            risk_level=risk,
        )
        Conversation.objects.filter(pk=conversation.pk).update(created_at=created)
        return conversation

    for wait_s in (0, 0):
        session(wait_s, waited=False)
    for wait_s in (60, 120, 600):
        session(wait_s)
    session(0, started=False)  # abandoned while waiting
    flagged = session(30, risk="HIGH")
    alert = Alert.objects.create(
        conversation=flagged, counselor=counselor, institution=ecnu, risk_source="STAFF"
    )
    Alert.objects.filter(pk=alert.pk).update(
        ack_time=alert.created_at + timedelta(seconds=90), status="ACKED"
    )
    Alert.objects.create(conversation=flagged, counselor=counselor, institution=ecnu, risk_source="KEYWORD")
    figures = result_of(as_user(inst_admin).get("/conversation/waitstatistics"))
    # waits of started sessions: 0, 0, 30, 60, 120, 600 → median 45, p90 360
    assert figures == {
        "sessions": 7,
        "waited": 4,
        "medianWait": 45,
        "p90Wait": 360,
        "abandoned": 1,
        "highRisk": 1,
        "alerts": 2,
        "medianAck": 90,
    }
    empty = result_of(as_user(other_admin).get("/conversation/waitstatistics"))
    assert empty["sessions"] == 0 and empty["medianWait"] is None and empty["medianAck"] is None
    old = result_of(
        as_user(inst_admin).get("/conversation/waitstatistics", {"startTime": 0, "endTime": 1000})
    )
    assert old["sessions"] == 0
    error_of(as_user(inst_admin).get("/conversation/waitstatistics", {"startTime": "x"}), 400, -2)
    error_of(as_user(supervisor).get("/conversation/waitstatistics"), 403, -5)


def test_live_view_survives_an_odd_msg_time(as_user, on_duty, visitor, supervisor):
    """A provider's MsgTime near the bigint limit is stored as received: the view still answers."""
    on_duty.supervisors.add(supervisor)
    conversation_id = result_of(start(as_user(visitor), on_duty))["id"]
    Message.objects.create(
        msg_key="far-future",
        conversation_id=conversation_id,
        from_account=visitor.username,
        to_account=on_duty.username,
        msg_time=9223372036854775807,
    )
    (row,) = result_of(as_user(supervisor).get("/conversation/live"))
    assert row["messageCount"] == 1 and row["lastMessageTime"] == 9223372036854775807 * 1000

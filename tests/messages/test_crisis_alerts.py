"""Crisis workflow through the HTTP API (CONTRACT §10): keyword flags from signed IM callbacks, alerts
sent through the local IM server's `sendmsg`, acknowledgement and escalation, run by the real worker."""

import hashlib
import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conversations.models import Alert, Conversation, RiskPhrase
from tests.conversations.helpers import start
from tests.helpers import error_of, make_user, put_on_duty, result_of
from tests.messages.helpers import OK, message, post_callback
from users.models import User, UserType

TOKEN = "care-callback-token"


def signed(client, body):
    now = str(int(time.time()))
    sign = hashlib.sha256(f"{TOKEN}{now}".encode()).hexdigest()
    return post_callback(client, body, Sign=sign, RequestTime=now)


def text(key, conversation, sender, receiver, words):
    return message(
        key,
        conversation.pk,
        sender=sender.username,
        receiver=receiver.username,
        body=[{"MsgType": "TIMTextElem", "MsgContent": {"Text": words}}],
    )


@pytest.fixture
def crisis(settings, tim, ecnu, counselor, supervisor, visitor):
    """A running session; the counsellor bound to `supervisor`, a second supervisor on duty today, a
    third neither; an institution administrator; signed callbacks."""
    settings.TIM_CALLBACK_TOKEN = TOKEN
    counselor.supervisors.add(supervisor)
    on_duty = make_user(UserType.SUPERVISOR, inst=ecnu, username="duty_sup")
    make_user(UserType.SUPERVISOR, inst=ecnu, username="idle_sup")
    make_user(UserType.INSTITUTION, inst=ecnu, username="ecnu_boss")
    put_on_duty(counselor, supervisor, on_duty)
    return tim


def alerts_sent(tim):
    return [(body["To_Account"], json.loads(body["MsgBody"][0]["MsgContent"]["Data"])) for body in tim.sent]


def test_keyword_from_signed_callback_flags_and_alerts_each_supervisor_once(
    anon, as_user, crisis, counselor, visitor, supervisor, job_queue
):
    conversation = Conversation.objects.get(pk=result_of(start(as_user(visitor), counselor))["id"])
    # full-width letters and spaces inside the phrase still match; the counsellor's words never do
    assert signed(anon, text("k0", conversation, counselor, visitor, "你想死吗这种话要说出来")).json() == OK
    assert signed(anon, text("k1", conversation, visitor, counselor, "我 真的 不 想 活 了")).json() == OK
    assert signed(anon, text("k2", conversation, visitor, counselor, "想死")).json() == OK
    job_queue.run()
    shown = result_of(as_user(visitor).get("/conversation/current"))
    assert (shown["riskLevel"], shown["riskSource"]) == ("HIGH", "KEYWORD") and shown["riskTime"] > 0
    (alert,) = Alert.objects.all()  # the second phrase found the session HIGH already
    job_queue.run()
    sent = alerts_sent(crisis)
    assert sorted(to for to, _ in sent) == ["duty_sup", "zhouyu"]
    for _, data in sent:
        assert data == {
            "type": "CRISIS_ALERT",
            "alertId": alert.pk,
            "conversationId": conversation.pk,
            "riskSource": "KEYWORD",
            "escalated": False,
        }
    body = crisis.sent[0]
    assert body["From_Account"] == "administrator"
    assert body["MsgBody"][0]["MsgType"] == "TIMCustomElem"
    assert "想" not in json.dumps(crisis.sent, ensure_ascii=False)  # no message text leaves
    assert visitor.username not in json.dumps(crisis.sent)


def test_full_width_phrase_and_message_of_another_session_or_sender(
    anon, as_user, crisis, counselor, visitor, ecnu, job_queue
):
    conversation = Conversation.objects.get(pk=result_of(start(as_user(visitor), counselor))["id"])
    stranger = make_user(UserType.VISITOR, inst=ecnu)
    assert signed(anon, text("s1", conversation, stranger, counselor, "自杀")).json() == OK
    job_queue.run()
    assert Conversation.objects.get(pk=conversation.pk).risk_level == "NONE"
    RiskPhrase.objects.create(institution=ecnu, phrase="ＡＢＣ危机")  # full-width in the list
    assert signed(anon, text("s2", conversation, visitor, counselor, "abc 危 机")).json() == OK
    job_queue.run()
    assert Conversation.objects.get(pk=conversation.pk).risk_source == "KEYWORD"


def test_phrase_removed_by_operator_no_longer_flags(
    anon, as_user, crisis, counselor, visitor, ecnu, job_queue
):
    RiskPhrase.objects.filter(institution=ecnu, phrase="跳楼").delete()
    conversation = Conversation.objects.get(pk=result_of(start(as_user(visitor), counselor))["id"])
    assert signed(anon, text("r1", conversation, visitor, counselor, "想跳楼")).json() == OK
    job_queue.run()
    assert Conversation.objects.get(pk=conversation.pk).risk_level == "NONE"
    assert not crisis.sent


def test_urgent_start_alerts_and_failed_sendmsg_is_retried(as_user, crisis, counselor, visitor, job_queue):
    crisis.fail_next = 1
    shown = result_of(
        as_user(visitor).put("/conversation", {"counselor": counselor.pk, "urgent": True}, format="json")
    )
    assert (shown["riskLevel"], shown["riskSource"]) == ("HIGH", "VISITOR")
    job_queue.run()
    assert len(crisis.sent) == 1  # one of the two failed
    for job in job_queue.jobs("messages.send_crisis_alert"):
        if job.status == "todo":
            job_queue.make_due(job)
    job_queue.run()
    assert sorted(body["To_Account"] for body in crisis.sent) == ["duty_sup", "zhouyu"]


def test_ack_list_and_escalation(
    as_user, crisis, counselor, visitor, supervisor, inst_admin, other_admin, job_queue, settings
):
    conversation_id = result_of(
        as_user(visitor).put("/conversation", {"counselor": counselor.pk, "urgent": True}, format="json")
    )["id"]
    job_queue.run()
    listed = as_user(supervisor).get("/conversation/alerts", {"status": "OPEN"})
    (item,) = result_of(listed)
    assert listed.json()["count"] == 1 and listed.json()["next"] is None
    assert item["conversationId"] == conversation_id and item["counselorId"] == counselor.pk
    assert (item["status"], item["ackTime"], item["ackBy"], item["escalated"]) == ("OPEN", 0, None, False)
    assert result_of(as_user(other_admin).get("/conversation/alerts")) == []
    # a supervisor on duty is told, but lists only the sessions it may supervise
    duty_sup = User.objects.get(username="duty_sup")
    assert result_of(as_user(duty_sup).get("/conversation/alerts")) == []
    error_of(as_user(duty_sup).post(f"/conversation/alerts/{item['id']}/ack"), 404, -4)
    error_of(as_user(other_admin).post(f"/conversation/alerts/{item['id']}/ack"), 404, -4)
    error_of(as_user(visitor).post(f"/conversation/alerts/{item['id']}/ack"), 404, -4)
    error_of(as_user(visitor).get("/conversation/alerts"), 403, -5)
    error_of(as_user(counselor).get("/conversation/alerts"), 403, -5)
    error_of(as_user(supervisor).get("/conversation/alerts", {"status": "X"}), 400, -2)

    # not yet due: nothing escalates
    call_command("escalate_alerts")
    assert not Alert.objects.get().escalated
    Alert.objects.update(created_at=timezone.now() - timedelta(minutes=6))
    call_command("escalate_alerts")
    call_command("escalate_alerts")  # once only
    job_queue.run()
    escalations = [(to, data) for to, data in alerts_sent(crisis) if data["escalated"]]
    assert sorted(to for to, _ in escalations) == ["duty_sup", "ecnu_admin", "ecnu_boss", "zhouyu"]
    (item,) = result_of(as_user(inst_admin).get("/conversation/alerts"))
    assert item["escalated"] is True

    acked = result_of(as_user(supervisor).post(f"/conversation/alerts/{item['id']}/ack"))
    assert acked["status"] == "ACKED" and acked["ackBy"] == "zhouyu" and acked["ackTime"] > 0
    again = result_of(as_user(inst_admin).post(f"/conversation/alerts/{item['id']}/ack"))
    assert again == acked
    assert result_of(as_user(supervisor).get("/conversation/alerts", {"status": "OPEN"})) == []
    assert len(result_of(as_user(supervisor).get("/conversation/alerts", {"status": "ACKED"}))) == 1


def test_periodic_escalation_task_runs_the_pass(as_user, crisis, counselor, visitor, job_queue, settings):
    from conversations.tasks import escalate_alerts

    settings.CRISIS_ESCALATE_MINUTES = "0.01"
    result_of(
        as_user(visitor).put("/conversation", {"counselor": counselor.pk, "urgent": True}, format="json")
    )
    Alert.objects.update(created_at=timezone.now() - timedelta(seconds=5))
    assert escalate_alerts(timestamp=int(time.time())) == 1
    assert Alert.objects.get().escalated


def test_an_alert_of_a_deleted_session_is_gone_and_cannot_be_acknowledged(
    as_user, crisis, counselor, visitor, supervisor, inst_admin, job_queue
):
    conversation_id = result_of(
        as_user(visitor).put("/conversation", {"counselor": counselor.pk, "urgent": True}, format="json")
    )["id"]
    job_queue.run()
    alert = Alert.objects.get()
    result_of(as_user(inst_admin).delete(f"/conversation/{conversation_id}"))
    assert result_of(as_user(supervisor).get("/conversation/alerts")) == []
    error_of(as_user(supervisor).post(f"/conversation/alerts/{alert.pk}/ack"), 404, -4)
    alert.refresh_from_db()
    assert alert.status == "OPEN" and alert.ack_by_id is None

"""POST /message/callback: Tencent IM callbacks stored once, whole, and acknowledged truly (CONTRACT §7)."""

import hashlib
import time

import pytest
from django.db import connection

from conversations.models import Conversation
from messages.models import Message
from scheduling.models import Presence
from tests.helpers import make_user
from tests.messages.helpers import OK, message, post_callback
from users.models import UserType

SEED_EXAMPLE = {
    "CallbackCommand": "C2C.CallbackAfterSendMsg",
    "From_Account": "jared",
    "To_Account": "Jonh",
    "MsgSeq": 48374,
    "MsgRandom": 2837546,
    "MsgTime": 1557481126,
    "MsgKey": "48374_2837546_1557481126",
    "OnlineOnlyFlag": 1,
    "SendMsgResult": 0,
    "ErrorInfo": "send msg succeed",
    "UnreadMsgNum": 7,
    "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "red packet"}}],
    "CloudCustomData": "your cloud custom data",
}


@pytest.mark.django_db
def test_seed_example_is_stored_with_every_field(anon, tim):
    response = post_callback(anon, SEED_EXAMPLE)
    assert response.status_code == 200 and response.json() == OK
    stored = Message.objects.get()
    assert stored.msg_key == "48374_2837546_1557481126" and stored.from_account == "jared"
    assert stored.to_account == "Jonh" and (stored.msg_seq, stored.msg_random, stored.msg_time) == (
        48374,
        2837546,
        1557481126,
    )
    assert stored.online_only_flag == 1 and stored.send_msg_result == 0 and stored.unread_msg_num == 7
    assert stored.error_info == "send msg succeed" and stored.msg_body == SEED_EXAMPLE["MsgBody"]
    assert stored.cloud_custom_data == "your cloud custom data" and stored.conversation_id is None
    assert stored.raw == SEED_EXAMPLE


@pytest.mark.django_db
def test_message_is_linked_to_its_conversation(anon, tim, ecnu, visitor, counselor):
    conversation = Conversation.objects.create(
        status="IN_PROGRESS", user=visitor, counselor=counselor, institution=ecnu
    )
    assert post_callback(anon, message("k1", conversation.id)).json() == OK
    assert Message.objects.get().conversation_id == conversation.id


@pytest.mark.django_db
def test_message_of_an_unknown_conversation_is_still_stored(anon, tim):
    assert post_callback(anon, message("k1", "f" * 32)).json() == OK
    assert Message.objects.get().conversation_id == "f" * 32


@pytest.mark.django_db
def test_repeated_delivery_is_stored_once(anon, tim):
    for _ in range(3):
        assert post_callback(anon, message("same-key")).json() == OK
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_failed_delivery_keeps_its_result(anon, tim):
    body = message("k-failed")
    body.update(SendMsgResult=20006, ErrorInfo="blocked", UnreadMsgNum=-1)
    post_callback(anon, body)
    stored = Message.objects.get()
    assert stored.send_msg_result == 20006 and stored.unread_msg_num == -1


@pytest.mark.django_db
def test_missing_msg_key_is_derived_from_seq_random_time(anon, tim):
    body = message("")
    del body["MsgKey"]
    post_callback(anon, body)
    assert Message.objects.get().msg_key == "1_7_1700000000"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "element",
    [
        {"MsgType": "TIMTextElem", "MsgContent": {"Text": "你好"}},
        {
            "MsgType": "TIMCustomElem",
            "MsgContent": {
                "Data": "customAudio",
                "Desc": "https://x/file/download?fileName=a.mp3",
                "Ext": "",
                "Sound": "",
            },
        },
        {
            "MsgType": "TIMImageElem",
            "MsgContent": {
                "UUID": "img1",
                "ImageFormat": 1,
                "ImageInfoArray": [
                    {"Type": 1, "Size": 1000, "Width": 100, "Height": 80, "URL": "https://img/1"}
                ],
            },
        },
        {
            "MsgType": "TIMSoundElem",
            "MsgContent": {
                "Url": "https://snd/1",
                "UUID": "s1",
                "Size": 100,
                "Second": 5,
                "Download_Flag": 2,
            },
        },
        {
            "MsgType": "TIMFileElem",
            "MsgContent": {
                "Url": "https://f/1",
                "UUID": "f1",
                "FileSize": 10,
                "FileName": "a.pdf",
                "Download_Flag": 2,
            },
        },
        {
            "MsgType": "TIMVideoFileElem",
            "MsgContent": {
                "VideoUrl": "https://v/1",
                "VideoUUID": "v1",
                "VideoSize": 9,
                "VideoSecond": 3,
                "VideoFormat": "mp4",
                "ThumbUrl": "https://t/1",
            },
        },
        {"MsgType": "TIMFaceElem", "MsgContent": {"Index": 1, "Data": "smile"}},
        {"MsgType": "TIMLocationElem", "MsgContent": {"Desc": "上海", "Latitude": 31.2, "Longitude": 121.4}},
    ],
)
def test_every_element_type_is_stored_whole(anon, tim, element):
    assert post_callback(anon, message("k", body=[element])).json() == OK
    assert Message.objects.get().msg_body == [element]


@pytest.mark.django_db
def test_wrong_sdkappid_is_refused(anon, tim):
    response = post_callback(anon, message("k"), sdkappid="1499999999")
    assert (
        response.status_code == 403
        and response.json()["ActionStatus"] == "FAIL"
        and response.json()["ErrorCode"] == 1
    )
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_signature_is_checked_when_a_token_is_set(anon, tim, settings):
    settings.TIM_CALLBACK_TOKEN = "xxxxyyyy"
    now = str(int(time.time()))
    good = hashlib.sha256(f"xxxxyyyy{now}".encode()).hexdigest()
    assert post_callback(anon, message("k1"), RequestTime=now, Sign=good).json() == OK
    bad = post_callback(anon, message("k2"), RequestTime=now, Sign="0" * 64)
    assert bad.status_code == 403 and bad.json()["ActionStatus"] == "FAIL"
    assert post_callback(anon, message("k3")).status_code == 403
    stale_time = str(int(time.time()) - 120)
    stale_sign = hashlib.sha256(f"xxxxyyyy{stale_time}".encode()).hexdigest()
    assert post_callback(anon, message("k4"), RequestTime=stale_time, Sign=stale_sign).status_code == 403
    assert list(Message.objects.values_list("msg_key", flat=True)) == ["k1"]


def test_sign_vector():
    assert hashlib.sha256(b"xxxxyyyy1669872112").hexdigest() == (
        "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
    )


@pytest.mark.django_db
def test_body_that_is_not_json_answers_fail(anon, tim):
    response = post_callback(anon, "not json{")
    assert response.status_code == 400 and response.json() == {
        "ActionStatus": "FAIL",
        "ErrorInfo": response.json()["ErrorInfo"],
        "ErrorCode": 1,
    }
    assert post_callback(anon, "[1, 2]").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command", ["C2C.CallbackBeforeSendMsg", "Group.CallbackAfterSendMsg", "Sns.CallbackFriendAdd"]
)
def test_other_commands_are_acknowledged_and_ignored(anon, tim, command):
    body = {**message("k"), "CallbackCommand": command}
    assert post_callback(anon, body, command=command).json() == OK
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_recall_marks_the_message_revoked(anon, tim):
    post_callback(anon, message("k-recall"))
    recall = {
        "CallbackCommand": "C2C.CallbackAfterMsgWithDraw",
        "From_Account": "visitor_a",
        "To_Account": "counselor_b",
        "MsgKey": "k-recall",
        "UnreadMsgNum": 0,
    }
    assert post_callback(anon, recall, command="C2C.CallbackAfterMsgWithDraw").json() == OK
    stored = Message.objects.get()
    assert stored.is_revoked and stored.revoked_at is not None and stored.msg_body  # kept, not deleted


@pytest.mark.django_db
def test_recall_arriving_before_its_message_is_not_lost(anon, tim):
    recall = {
        "CallbackCommand": "C2C.CallbackAfterMsgWithDraw",
        "MsgKey": "early",
        "From_Account": "a",
        "To_Account": "b",
    }
    post_callback(anon, recall, command="C2C.CallbackAfterMsgWithDraw")
    post_callback(anon, message("early"))
    stored = Message.objects.get()
    assert (
        stored.is_revoked and not stored.placeholder and stored.msg_body[0]["MsgContent"]["Text"] == "消息1"
    )


@pytest.mark.django_db
def test_state_change_updates_presence_newest_first(anon, tim):
    def state(action, at):
        return {
            "CallbackCommand": "State.StateChange",
            "EventTime": at,
            "Info": {"Action": action, "To_Account": "liMeijin", "Reason": "Register"},
        }

    assert post_callback(anon, state("Login", 1000), command="State.StateChange").json() == OK
    assert Presence.objects.get(identifier="liMeijin").online
    post_callback(anon, state("Disconnect", 3000), command="State.StateChange")
    post_callback(anon, state("Login", 2000), command="State.StateChange")  # late, older event
    presence = Presence.objects.get(identifier="liMeijin")
    assert not presence.online and presence.action == "Disconnect"
    missing = post_callback(
        anon, {"CallbackCommand": "State.StateChange", "Info": {}}, command="State.StateChange"
    )
    assert missing.status_code == 400


@pytest.mark.django_db
def test_presence_reaches_the_duty_list(anon, tim, as_user, visitor, counselor):
    from tests.helpers import put_on_duty

    put_on_duty(counselor)
    client = as_user(visitor)
    params = {"timestamp": int(time.time() * 1000), "type": "COUNSELOR"}
    assert client.get("/arrange/theday", params).json()["result"][0]["status"] == "离线"
    post_callback(
        anon,
        {
            "CallbackCommand": "State.StateChange",
            "EventTime": 1,
            "Info": {"Action": "Login", "To_Account": "liMeijin"},
        },
        command="State.StateChange",
    )
    assert client.get("/arrange/theday", params).json()["result"][0]["status"] == "空闲"


@pytest.mark.django_db(transaction=True)  # autocommit, as in production: one statement per message
def test_storage_failure_answers_fail_so_the_provider_retries(anon, tim):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_message() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ "
            "LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON hotline_messages_message FOR EACH ROW EXECUTE FUNCTION refuse_message()"
        )
    response = post_callback(anon, message("k-lost"))
    assert response.status_code == 500 and response.json()["ActionStatus"] == "FAIL"
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER refuse ON hotline_messages_message")
        cursor.execute("DROP FUNCTION refuse_message()")
    assert post_callback(anon, message("k-lost")).json() == OK
    assert Message.objects.filter(msg_key="k-lost").count() == 1


@pytest.mark.django_db
def test_callback_needs_no_jwt_but_im_configured(anon, settings):
    settings.TIM_SDKAPPID = ""
    assert post_callback(anon, message("k")).status_code == 403


@pytest.mark.django_db
def test_visitor_and_counselor_ids_do_not_matter_for_storage(anon, tim, ecnu):
    make_user(UserType.VISITOR, inst=ecnu, username="visitor_a")
    assert post_callback(anon, message("k")).json() == OK


def signed(token="xxxxyyyy", at=None):
    now = str(int(time.time()) if at is None else at)
    return {"RequestTime": now, "Sign": hashlib.sha256(f"{token}{now}".encode()).hexdigest()}


@pytest.mark.django_db
def test_a_replayed_sign_and_body_pair_is_refused(anon, tim, settings):
    settings.TIM_CALLBACK_TOKEN = "xxxxyyyy"
    counselor = make_user(UserType.COUNSELOR, username="counselor_b")
    sign = signed()
    login = {
        "CallbackCommand": "State.StateChange",
        "EventTime": 1,
        "Info": {"To_Account": counselor.username, "Action": "Login"},
    }
    logout = {**login, "EventTime": 2, "Info": {**login["Info"], "Action": "Logout"}}
    assert post_callback(anon, login, command="State.StateChange", **sign).json() == OK
    assert post_callback(anon, logout, command="State.StateChange", **sign).json() == OK
    # A later login, then an attacker replays the captured Logout within the 60 s window.
    relogin = {**login, "EventTime": 3}
    assert post_callback(anon, relogin, command="State.StateChange", **signed()).json() in (OK,)
    replay = post_callback(anon, logout, command="State.StateChange", **sign)
    assert replay.status_code == 403 and replay.json()["ActionStatus"] == "FAIL"
    assert Presence.objects.get(identifier=counselor.username).online is True


@pytest.mark.django_db
def test_the_same_message_signed_again_is_stored_once_and_answered_ok(anon, tim, settings):
    settings.TIM_CALLBACK_TOKEN = "xxxxyyyy"
    body = message("same-key")
    now = int(time.time())
    assert post_callback(anon, body, **signed(at=now)).json() == OK
    # The provider's redelivery carries its own RequestTime and Sign: accepted, stored once.
    assert post_callback(anon, body, **signed(at=now - 5)).json() == OK
    assert Message.objects.filter(msg_key="same-key").count() == 1
    replay = post_callback(anon, body, **signed(at=now))
    assert replay.status_code == 403 and Message.objects.filter(msg_key="same-key").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_delivery_that_failed_to_store_can_be_retried_with_the_same_sign(anon, tim, settings):
    settings.TIM_CALLBACK_TOKEN = "xxxxyyyy"
    sign = signed()
    body = message("retry-key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {Message._meta.db_table} ADD CONSTRAINT block_retry CHECK (msg_key <> 'retry-key')"
        )
    failed = post_callback(anon, body, **sign)
    assert failed.status_code == 500 and failed.json()["ActionStatus"] == "FAIL"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {Message._meta.db_table} DROP CONSTRAINT block_retry")
    assert post_callback(anon, body, **sign).json() == OK
    assert Message.objects.filter(msg_key="retry-key").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_signed_message_is_claimed_and_stored_by_one_statement(anon, tim, settings):
    from django.test.utils import CaptureQueriesContext

    settings.TIM_CALLBACK_TOKEN = "xxxxyyyy"
    sign = signed()
    with CaptureQueriesContext(connection) as queries:
        assert post_callback(anon, message("one-statement"), **sign).json() == OK
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT 1")]
    assert len(statements) == 1 and "ON CONFLICT (msg_key)" in statements[0]
    assert Message.objects.filter(msg_key="one-statement").count() == 1
    replay = post_callback(anon, message("one-statement", seq=2), **sign)  # another body: another digest
    assert replay.json() == OK and Message.objects.get(msg_key="one-statement").msg_seq == 1
    again = post_callback(anon, message("one-statement", seq=2), **sign)  # the same Sign and body
    assert again.status_code == 403 and again.json()["ActionStatus"] == "FAIL"

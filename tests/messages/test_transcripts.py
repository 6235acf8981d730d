"""GET /message/conversation/web: transcripts in the web SDK's shape, for those who may read them."""

import pytest

from messages.models import Message
from tests.helpers import error_of, make_user, result_of
from tests.messages.helpers import post_callback, read
from users.models import UserType

SEED_KEYS = {
    "conversationID",
    "avatar",
    "type",
    "priority",
    "conversationType",
    "isRevoked",
    "nick",
    "isDeleted",
    "isModified",
    "payload",
    "isPeerRead",
    "cloudCustomData",
    "from",
    "ID",
    "to",
    "time",
    "flow",
    "status",
}


@pytest.mark.django_db
def test_messages_come_in_the_web_shape_in_time_order(as_user, chat, visitor):
    body = read(as_user(visitor), chat, size=100).json()
    assert body["count"] == 9 and body["next"] is None
    rows = body["result"]
    assert all(SEED_KEYS <= set(row) for row in rows)
    assert [row["type"] for row in rows] == [
        "TIMTextElem",
        "TIMTextElem",
        "TIMCustomElem",
        "TIMImageElem",
        "TIMSoundElem",
        "TIMFileElem",
        "TIMVideoFileElem",
        "TIMFaceElem",
        "TIMLocationElem",
    ]
    first = rows[0]
    assert (
        first["payload"] == {"text": "咨询师您好"}
        and first["flow"] == "out"
        and first["from"] == visitor.username
    )
    assert (
        first["conversationType"] == "TIM.TYPES.CONV_C2C"
        and first["priority"] == "TIM.TYPES.MSG_PRIORITY_NORMAL"
    )
    assert (
        first["cloudCustomData"] == chat.id and first["time"] == 1700000000 and first["status"] == "success"
    )
    assert rows[1]["flow"] == "in"
    assert rows[2]["payload"] == {
        "data": "customAudio",
        "desc": "https://h/file/download?fileName=zxs_6-1634537274000.mp3",
        "ext": "",
        "sound": "",
    }
    assert rows[3]["payload"]["imageInfoArray"][0] == {
        "type": 1,
        "size": 10,
        "width": 2,
        "height": 2,
        "url": "https://img/1.png",
    }
    assert rows[4]["payload"]["downloadFlag"] == 2 and rows[4]["payload"]["second"] == 3
    assert rows[5]["payload"]["fileName"] == "a.pdf" and rows[6]["payload"]["videoUrl"] == "https://v/1"
    assert rows[7]["payload"] == {"index": 3, "data": "smile"}
    assert rows[8]["payload"] == {"desc": "上海", "latitude": 31.2, "longitude": 121.4}


@pytest.mark.django_db
def test_flow_is_relative_to_the_caller(as_user, chat, counselor, inst_admin):
    assert read(as_user(counselor), chat).json()["result"][0]["flow"] == "in"
    assert (
        read(as_user(inst_admin), chat).json()["result"][0]["flow"] == "out"
    )  # visitor's messages are "out"


@pytest.mark.django_db
def test_messages_page(as_user, chat, visitor):
    page = read(as_user(visitor), chat, page=2, size=4).json()
    assert page["count"] == 9 and page["next"] == 3 and len(page["result"]) == 4
    assert page["result"][0]["type"] == "TIMSoundElem"


@pytest.mark.django_db
def test_revoked_message_is_shown_revoked(anon, as_user, chat, visitor):
    post_callback(
        anon,
        {"CallbackCommand": "C2C.CallbackAfterMsgWithDraw", "MsgKey": "key-0"},
        command="C2C.CallbackAfterMsgWithDraw",
    )
    first = read(as_user(visitor), chat).json()["result"][0]
    assert first["isRevoked"] is True and first["payload"] == {"text": "咨询师您好"}


@pytest.mark.django_db
def test_who_may_read_a_transcript(as_user, chat, supervisor, inst_admin, sysadmin, other_admin, ecnu):
    for reader in (supervisor, inst_admin, sysadmin):
        assert read(as_user(reader), chat).json()["count"] == 9
    for outsider in (
        other_admin,
        make_user(UserType.VISITOR, inst=ecnu),
        make_user(UserType.COUNSELOR, inst=ecnu),
        make_user(UserType.SUPERVISOR, inst=ecnu),
    ):
        error_of(read(as_user(outsider), chat), 404, -4)
    assert (
        error_of(as_user(sysadmin).get("/message/conversation/web"), 400, -2)
        == "key [conversationId] not optional"
    )


@pytest.mark.django_db
def test_deleted_conversation_transcript_is_gone(as_user, chat, inst_admin):
    result_of(as_user(inst_admin).delete(f"/conversation/{chat.id}"))
    error_of(read(as_user(inst_admin), chat), 404, -4)
    assert Message.objects.filter(conversation_id=chat.id).count() == 9  # kept in the archive


@pytest.mark.django_db
def test_message_list_runs_a_fixed_number_of_queries(as_user, chat, visitor, django_assert_max_num_queries):
    client = as_user(visitor)
    # caller, the conversation with its two users, count, the page's rows (keys in a subquery), the audit row
    with django_assert_max_num_queries(5):
        assert len(read(client, chat, size=100).json()["result"]) == 9


@pytest.mark.django_db
def test_transcript_pages_are_picked_by_key_in_time_order(as_user, chat, visitor):
    whole = [row["ID"] for row in read(as_user(visitor), chat, size=100).json()["result"]]
    paged = []
    for number in (1, 2, 3):
        body = read(as_user(visitor), chat, page=number, size=4).json()
        assert body["count"] == 9 and body["next"] == (number + 1 if number < 3 else None)
        paged += [row["ID"] for row in body["result"]]
    assert paged == whole and len(whole) == 9


@pytest.mark.django_db
def test_a_counselor_whose_approval_was_withdrawn_reads_no_transcript(as_user, chat, counselor, inst_admin):
    assert read(as_user(counselor), chat).json()["count"] == 9
    result_of(as_user(inst_admin).post(f"/user/approve/{counselor.id}?approved=false"))
    assert error_of(read(as_user(counselor), chat), 403, -5) == "账号待审核"

"""Reading transcripts in the web SDK's shape, exports, files and IM account import."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from conversations.models import Conversation
from evaluations.models import Evaluation
from messages.models import ImAccount, Message
from tests.helpers import error_of, make_user, md5, result_of
from tests.messages.test_callback import message, post_callback
from users.models import AuditEntry, UserType

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


@pytest.fixture
def chat(anon, tim, ecnu, visitor, counselor, supervisor):
    """A session between the visitor and the counsellor with one message of every element type."""
    counselor.supervisors.add(supervisor)
    conversation = Conversation.objects.create(
        status="FINISHED", user=visitor, counselor=counselor, institution=ecnu, duration=600_000
    )
    v, c = visitor.username, counselor.username
    bodies = [
        (v, c, {"MsgType": "TIMTextElem", "MsgContent": {"Text": "咨询师您好"}}),
        (c, v, {"MsgType": "TIMTextElem", "MsgContent": {"Text": "你好，很高兴见到你"}}),
        (
            c,
            v,
            {
                "MsgType": "TIMCustomElem",
                "MsgContent": {
                    "Data": "customAudio",
                    "Desc": "https://h/file/download?fileName=zxs_6-1634537274000.mp3",
                },
            },
        ),
        (
            v,
            c,
            {
                "MsgType": "TIMImageElem",
                "MsgContent": {
                    "UUID": "img",
                    "ImageFormat": 1,
                    "ImageInfoArray": [
                        {"Type": 1, "Size": 10, "Width": 2, "Height": 2, "URL": "https://img/1.png"}
                    ],
                },
            },
        ),
        (
            v,
            c,
            {
                "MsgType": "TIMSoundElem",
                "MsgContent": {
                    "Url": "https://snd/1.silk",
                    "UUID": "s",
                    "Size": 1,
                    "Second": 3,
                    "Download_Flag": 2,
                },
            },
        ),
        (
            v,
            c,
            {
                "MsgType": "TIMFileElem",
                "MsgContent": {
                    "Url": "https://f/1",
                    "FileName": "a.pdf",
                    "FileSize": 1,
                    "UUID": "f",
                    "Download_Flag": 2,
                },
            },
        ),
        (c, v, {"MsgType": "TIMVideoFileElem", "MsgContent": {"VideoUrl": "https://v/1", "VideoUUID": "v"}}),
        (v, c, {"MsgType": "TIMFaceElem", "MsgContent": {"Index": 3, "Data": "smile"}}),
        (
            v,
            c,
            {
                "MsgType": "TIMLocationElem",
                "MsgContent": {"Desc": "上海", "Latitude": 31.2, "Longitude": 121.4},
            },
        ),
    ]
    # Posted out of order: the reading orders by MsgTime, then MsgSeq.
    for index, (sender, receiver, element) in reversed(list(enumerate(bodies))):
        body = message(
            f"key-{index}",
            conversation.id,
            sender=sender,
            receiver=receiver,
            seq=index,
            at=1700000000 + index // 2,
            body=[element],
        )
        assert post_callback(anon, body).json()["ActionStatus"] == "OK"
    return conversation


def read(client, conversation, **params):
    return client.get("/message/conversation/web", {"conversationId": conversation.id, **params})


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
    with django_assert_max_num_queries(8):
        assert len(read(client, chat, size=100).json()["result"]) == 9


# ---- export ---------------------------------------------------------------------------------------


def _sheet_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook, {
        ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets
    }


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_export_a_transcript(as_user, chat, inst_admin, visitor, method):
    Evaluation.objects.create(conversation=chat, level=5, content="谢谢", creator=visitor)
    response = getattr(as_user(inst_admin), method)(f"/conversation/export/{chat.id}")
    _, sheets = _sheet_rows(response)
    rows = next(iter(sheets.values()))
    header = {row[0]: row[1] for row in rows[:8]}
    assert header["会话ID"] == chat.id and "李玫瑾" in header["咨询师"] and header["状态"] == "已结束"
    assert header["时长"] == "00:10:00" and header["评价"] == "5分 谢谢"
    assert rows[9] == ["时间", "发送者角色", "发送者", "类型", "内容"]
    messages = rows[10:]
    assert len(messages) == 9
    assert messages[0][1:] == ["访客", visitor.username, "文本", "咨询师您好"]
    assert messages[0][0] == "2023-11-15 06:13:20"  # 1700000000 in Asia/Shanghai
    assert messages[1][1:3] == ["咨询师", "李玫瑾"]
    assert messages[2][3] == "语音" and messages[2][4].endswith("zxs_6-1634537274000.mp3")
    assert messages[3][4] == "https://img/1.png"
    entry = AuditEntry.objects.get(action="conversation.export")
    assert entry.object_ids == [chat.id] and entry.actor_username == "ecnu_admin"


@pytest.mark.django_db
def test_batch_export_has_a_sheet_per_conversation(as_user, chat, inst_admin, ecnu, counselor):
    other = Conversation.objects.create(
        status="FINISHED", user=make_user(UserType.VISITOR, inst=ecnu), counselor=counselor, institution=ecnu
    )
    response = as_user(inst_admin).post("/conversation/batchexport", [chat.id, other.id], format="json")
    workbook, sheets = _sheet_rows(response)
    assert len(workbook.worksheets) == 2
    first, second = workbook.worksheets
    assert first.title.endswith(chat.id[:29]) and sheets[first.title][0][1] == chat.id
    assert (
        sheets[second.title][0][1] == other.id and len(sheets[second.title]) == 10
    )  # header only, no messages
    assert AuditEntry.objects.get(action="conversation.batchexport").object_ids == [chat.id, other.id]


@pytest.mark.django_db
def test_export_is_for_administrators_of_the_institution(as_user, chat, counselor, visitor, other_admin):
    error_of(as_user(counselor).get(f"/conversation/export/{chat.id}"), 403, -5)
    error_of(as_user(visitor).post("/conversation/batchexport", [chat.id], format="json"), 403, -5)
    error_of(as_user(other_admin).get(f"/conversation/export/{chat.id}"), 404, -4)
    error_of(as_user(other_admin).post("/conversation/batchexport", [chat.id], format="json"), 404, -4)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [[], {}, "x", [1, 2], ["a"] * 201])
def test_batch_export_validates_the_body(as_user, inst_admin, body):
    error_of(as_user(inst_admin).post("/conversation/batchexport", body, format="json"), 400, -2)


# ---- files ----------------------------------------------------------------------------------------

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 500
SILK = b"\x02#!SILK_V3" + b"\x01" * 300


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
@pytest.mark.parametrize("content,extension", [(MP3, "mp3"), (PNG, "png"), (SILK, "silk")])
def test_upload_then_download(as_user, counselor, visitor, media, content, extension):
    upload = SimpleUploadedFile("voice.bin", content)
    result = result_of(as_user(counselor).post("/file/upload", {"file": upload}, format="multipart"))
    assert result["fileName"].startswith("liMeijin-") and result["fileName"].endswith(f".{extension}")
    assert result["url"].endswith(f"/file/download?fileName={result['fileName']}")
    response = as_user(visitor).get("/file/download", {"fileName": result["fileName"]})
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_download_needs_a_signed_in_user(as_user, anon, counselor, media):
    from users.tokens import token_pair

    name = result_of(
        as_user(counselor).post(
            "/file/upload", {"file": SimpleUploadedFile("a.mp3", MP3)}, format="multipart"
        )
    )["fileName"]
    error_of(anon.get("/file/download", {"fileName": name}), 401, 401)
    error_of(anon.get("/file/download", {"fileName": name, "token": "garbage"}), 401, 401)
    token = token_pair(counselor)["access"]
    assert anon.get("/file/download", {"fileName": name, "token": token}).status_code == 200
    error_of(
        anon.post("/file/upload", {"file": SimpleUploadedFile("a.mp3", MP3)}, format="multipart"), 401, 401
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content",
    [
        ("evil.mp3", b"MZ\x90\x00" + b"\x00" * 100),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("empty.mp3", b""),
    ],
)
def test_disallowed_uploads_store_nothing(as_user, counselor, media, name, content):
    message = error_of(
        as_user(counselor).post(
            "/file/upload", {"file": SimpleUploadedFile(name, content)}, format="multipart"
        ),
        400,
        -2,
    )
    assert "[file]" in message
    assert not list((media / "files").glob("*")) if (media / "files").exists() else True


@pytest.mark.django_db
def test_oversized_upload_is_refused(as_user, counselor, media):
    big = SimpleUploadedFile("big.mp3", MP3 + b"\x00" * (20 * 1024 * 1024))
    response = as_user(counselor).post("/file/upload", {"file": big}, format="multipart")
    error_of(response, 413, -2)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../../etc/passwd", "..%2F..%2Fsettings.py", "/etc/passwd", "a/b.mp3", ""])
def test_download_names_cannot_escape_media_root(as_user, counselor, media, name):
    response = as_user(counselor).get("/file/download", {"fileName": name})
    assert response.status_code == 400 and response.json()["code"] == -2


@pytest.mark.django_db
def test_download_of_a_missing_file_is_404(as_user, counselor, media):
    error_of(
        as_user(counselor).get("/file/download", {"fileName": "liMeijin-1700000000000-0123456789abcdef.mp3"}),
        404,
        -4,
    )


@pytest.mark.django_db
def test_upload_without_file_names_the_field(as_user, counselor, media):
    assert (
        error_of(as_user(counselor).post("/file/upload", {}, format="multipart"), 400, -2)
        == "key [file] not optional"
    )


# ---- IM accounts ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_im_sign_imports_the_caller_once(as_user, tim, counselor):
    result_of(as_user(counselor).post("/im/sign"))
    result_of(as_user(counselor).post("/im/sign"))
    assert tim.imported == [{"UserID": "liMeijin", "Nick": "李玫瑾", "FaceUrl": ""}]
    assert ImAccount.objects.get(user=counselor).imported_at is not None


@pytest.mark.django_db
def test_failed_import_never_fails_the_request_and_is_retried(as_user, tim, counselor):
    tim.fail_next = 1
    assert isinstance(result_of(as_user(counselor).post("/im/sign")), str)
    account = ImAccount.objects.get(user=counselor)
    assert account.imported_at is None and "70169" in account.last_error
    result_of(as_user(counselor).post("/im/sign"))
    assert [item["UserID"] for item in tim.imported] == ["liMeijin"]


@pytest.mark.django_db
def test_unreachable_im_never_fails_sign(as_user, tim, counselor, settings):
    settings.TIM_API_BASE = "http://127.0.0.1:9"
    assert isinstance(result_of(as_user(counselor).post("/im/sign")), str)


@pytest.mark.django_db
def test_new_staff_is_imported_after_commit(as_user, tim, inst_admin, django_capture_on_commit_callbacks):
    body = {"username": "newbie", "password": md5("pw"), "role": "ROLE_COUNSELOR"}
    with django_capture_on_commit_callbacks(execute=True):
        result_of(as_user(inst_admin).put("/user/ms", body, format="json"))
    assert [item["UserID"] for item in tim.imported] == ["newbie"]


@pytest.mark.django_db
def test_new_wechat_visitor_is_imported_after_commit(anon, tim, wechat, django_capture_on_commit_callbacks):
    wechat.sessions["c"] = {"openid": "openid-new", "session_key": "tiihtNczf5v6AKRyjwEUhQ=="}
    with django_capture_on_commit_callbacks(execute=True):
        result_of(anon.post("/auth/wx/wx4f4bc4dec97d474b/login?code=c"))
    assert [item["UserID"] for item in tim.imported] == ["openid-new"]
    assert json.dumps(tim.imported)


@pytest.mark.django_db
def test_export_of_ten_thousand_messages(as_user, inst_admin, ecnu, visitor, counselor):
    conversation = Conversation.objects.create(
        status="FINISHED", user=visitor, counselor=counselor, institution=ecnu
    )
    Message.objects.bulk_create(
        [
            Message(
                msg_key=f"bulk-{index}",
                conversation=conversation,
                from_account=visitor.username,
                to_account=counselor.username,
                msg_seq=index,
                msg_time=1700000000 + index,
                msg_body=[{"MsgType": "TIMTextElem", "MsgContent": {"Text": f"第{index}条"}}],
            )
            for index in range(10_000)
        ],
        batch_size=2000,
    )
    response = as_user(inst_admin).get(f"/conversation/export/{conversation.id}")
    _, sheets = _sheet_rows(response)
    rows = next(iter(sheets.values()))
    assert len(rows) == 10 + 10_000 and rows[-1][4] == "第9999条"

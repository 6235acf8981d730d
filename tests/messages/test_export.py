"""Transcript exports as xlsx (seed §34–35): one, a batch, the audit, large transcripts."""

import pytest

from conversations.models import Conversation
from evaluations.models import Evaluation
from messages.models import Message
from tests.helpers import error_of, make_user
from tests.messages.helpers import sheet_rows
from users.models import AuditEntry, UserType


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_export_a_transcript(as_user, chat, inst_admin, visitor, method):
    Evaluation.objects.create(conversation=chat, level=5, content="谢谢", creator=visitor)
    response = getattr(as_user(inst_admin), method)(f"/conversation/export/{chat.id}")
    _, sheets = sheet_rows(response)
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
    workbook, sheets = sheet_rows(response)
    assert len(workbook.worksheets) == 2
    first, second = workbook.worksheets
    assert first.title.endswith(chat.id[:29]) and sheets[first.title][0][1] == chat.id
    assert (
        sheets[second.title][0][1] == other.id and len(sheets[second.title]) == 10
    )  # header only, no messages
    rows = AuditEntry.objects.filter(action="conversation.batchexport")  # one row per conversation
    assert sorted(rows.values_list("object_id", flat=True)) == sorted([chat.id, other.id])


@pytest.mark.django_db
def test_export_is_for_administrators_of_the_institution(as_user, chat, counselor, visitor, other_admin):
    error_of(as_user(counselor).get(f"/conversation/export/{chat.id}"), 403, -5)
    error_of(as_user(visitor).post("/conversation/batchexport", [chat.id], format="json"), 403, -5)
    error_of(as_user(other_admin).get(f"/conversation/export/{chat.id}"), 404, -4)
    error_of(as_user(other_admin).post("/conversation/batchexport", [chat.id], format="json"), 404, -4)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [[], {}, "x", [1, 2], ["a"] * 201, ["\u0000"], ["g" * 32], ["0" * 31 + "\u0000"], ["ABCDEF" * 5 + "AB"]],
)
def test_batch_export_validates_the_body(as_user, inst_admin, body):
    error_of(as_user(inst_admin).post("/conversation/batchexport", body, format="json"), 400, -2)


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
    _, sheets = sheet_rows(response)
    rows = next(iter(sheets.values()))
    assert len(rows) == 10 + 10_000 and rows[-1][4] == "第9999条"

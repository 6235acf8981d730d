"""Transcripts as .xlsx (seed §34–35): openpyxl in write-only mode, messages streamed from the
database in chunks, so memory stays flat however long the conversation."""

import tempfile
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from conversations.constants import ConversationStatus
from hotline.api.timeutil import SHANGHAI
from hotline.limits import DATETIME_FORMAT

from .selectors import messages_of
from .webshape import element_payload, element_text

ROLE_NAMES = {
    "VISITOR": "访客",
    "COUNSELOR": "咨询师",
    "SUPERVISOR": "督导",
    "ADMIN": "管理员",
    "INSTITUTION": "管理员",
}
TYPE_NAMES = {
    "TIMTextElem": "文本",
    "TIMCustomElem": "自定义",
    "TIMImageElem": "图片",
    "TIMSoundElem": "语音",
    "TIMFileElem": "文件",
    "TIMVideoFileElem": "视频",
    "TIMFaceElem": "表情",
    "TIMLocationElem": "位置",
}
MESSAGE_COLUMNS = ["时间", "发送者角色", "发送者", "类型", "内容"]


def _cell(sheet, value):
    """A cell that is always plain text: control characters Excel refuses are dropped, and text that
    looks like a formula stays text (no formula injection into the administrator's spreadsheet). Text
    that cannot be read as a formula is handed over as a plain string, which openpyxl stores as text
    without a cell object of ours (performance, issue 13: the export writes 50 000 cells)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _local(value):
    return value.astimezone(SHANGHAI).strftime(DATETIME_FORMAT) if value else ""


def _rating(evaluation):
    if evaluation is None:
        return "未评价"
    level = "未评分" if evaluation.level is None else f"{evaluation.level}分"
    return f"{level} {evaluation.content}".strip()


def _duration(ms):
    seconds = (ms or 0) // 1000
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _person(user):
    return f"{user.name or user.username}（{user.username}）"


def _write_sheet(workbook, actor, conversation, title):
    sheet = workbook.create_sheet(title=title)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["C"].width = 24
    sheet.column_dimensions["E"].width = 80
    bold = Font(bold=True)

    def label(text):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return cell

    evaluation = getattr(conversation, "evaluation", None)
    header = [
        ("会话ID", conversation.id),
        ("访客" if conversation.type == "COUNSELING_SESSION" else "咨询师", _person(conversation.user)),
        ("咨询师" if conversation.type == "COUNSELING_SESSION" else "督导", _person(conversation.counselor)),
        ("开始时间", _local(conversation.start_time)),
        ("结束时间", _local(conversation.shown_end_time)),
        ("时长", _duration(conversation.shown_duration)),
        ("状态", ConversationStatus(conversation.shown_status).label),
        ("评价", _rating(evaluation)),
    ]
    for name, value in header:
        sheet.append([label(name), _cell(sheet, value)])
    sheet.append([])
    sheet.append([label(title) for title in MESSAGE_COLUMNS])
    people = {
        conversation.user.username: conversation.user,
        conversation.counselor.username: conversation.counselor,
    }
    # Plain tuples, not model instances (10 000 of them were a tenth of the export's time); the body's
    # decryption still runs (the field's converter).
    rows = messages_of(actor, conversation).values_list("from_account", "msg_body", "is_revoked", "msg_time")
    for from_account, body, is_revoked, when in rows.iterator(chunk_size=2000):
        sender = people.get(from_account)
        role = ROLE_NAMES.get(sender.type, "") if sender else ""
        name = (sender.name or sender.username) if sender else from_account
        elements = [element_payload(element) for element in (body or [])] or [("TIMTextElem", {})]
        kinds = "、".join(dict.fromkeys(TYPE_NAMES.get(kind, kind) for kind, _ in elements))
        if elements[0][0] == "TIMCustomElem" and elements[0][1].get("data") == "customAudio":
            kinds = "语音"
        content = " ".join(element_text(kind, payload) for kind, payload in elements)
        if is_revoked:
            content = f"[已撤回] {content}"
        sheet.append([_cell(sheet, value) for value in (_seconds_local(when), role, name, kinds, content)])


def _seconds_local(seconds):
    try:
        return datetime.fromtimestamp(seconds, tz=SHANGHAI).strftime(DATETIME_FORMAT) if seconds else ""
    except (ValueError, OverflowError, OSError):
        return str(seconds)


def transcript_workbook(actor, conversations):
    """A temporary file holding one sheet per conversation (as `conversations.selectors` loads them,
    with their shown state), positioned at its start."""
    workbook = Workbook(write_only=True)
    for index, conversation in enumerate(conversations, start=1):
        title = conversation.id if len(conversations) == 1 else f"{index}-{conversation.id}"
        _write_sheet(workbook, actor, conversation, title[:31])
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return output

"""Spreadsheet imports as services: parse every row, validate them all (any problem refuses the whole
file, each problem listed as `第N行 <列>: <问题>`), then write in bulk with a fixed number of queries
whatever the row count."""

import re
from datetime import time

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from hotline.api.errors import InvalidParam
from hotline.limits import DATE_FORMAT, IMPORT_MAX_PROBLEMS, TIME_FORMAT
from scheduling import workspace
from scheduling.models import DutyType
from users.models import User
from users.scoping import SCHEDULE, visible_to

from .fields import IMPORT_COLUMNS, IMPORT_LIMITS
from .models import Archive, InterviewRecord
from .spreadsheets import as_date, read_table

SCHEDULE_HEADER = ["日期", "用户名", "时间段"]
BULK_BATCH = 1000
ARCHIVE_UPDATED = ("doctor_evaluation", "follow_up_plan", "interview_status", "updated_at")


def _refuse(problems):
    shown = "；".join(problems[:IMPORT_MAX_PROBLEMS])
    raise InvalidParam(
        shown if len(problems) <= IMPORT_MAX_PROBLEMS else f"{shown}；…共{len(problems)}处问题"
    )


def _text(value):
    if value is None:
        return ""
    if isinstance(value, time):
        return value.strftime(TIME_FORMAT)
    if hasattr(value, "strftime"):
        return value.strftime(DATE_FORMAT)
    return str(value).strip()


def _clock(text):
    """'H:MM' or 'HH:MM[:SS]' → 'HH:MM', else None."""
    match = re.match(r"^(\d{1,2}):(\d{2})(:\d{2})?$", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _column_positions(rows):
    header_number, header_row = rows[0]
    header = [_text(value) for value in header_row]
    positions, problems = {}, []
    for title, key, required in IMPORT_COLUMNS:
        if title in header:
            positions[key] = header.index(title)
        elif required:
            problems.append(f"第{header_number}行 {title}: 缺少该列")
    if problems:
        raise InvalidParam("；".join(problems))
    return positions


def _record_entry(number, row, positions, problems):
    """One row as text values by key; its problems are appended to `problems`."""
    values = {key: row[index] if index < len(row) else None for key, index in positions.items()}
    entry = {key: _text(value) for key, value in values.items()}
    if not entry.get("std_name"):
        problems.append(f"第{number}行 学生姓名: 不能为空")
    day = as_date(values.get("date"))
    if day is None:
        problems.append(f"第{number}行 访谈日期: 须为日期或 YYYY-MM-DD")
    else:
        entry["date"] = day.isoformat()
    if entry.get("gender") and entry["gender"] not in ("男", "女"):
        problems.append(f"第{number}行 性别: 须为“男”或“女”")
    if entry.get("time"):
        clock = _clock(entry["time"])
        if clock is None:
            problems.append(f"第{number}行 访谈时间: 须为 HH:MM")
        entry["time"] = clock or ""
    third = entry.get("isThirdPartyEvaluation", "")
    if third not in ("", "是", "否"):
        problems.append(f"第{number}行 是否他评: 须为“是”或“否”")
    entry["isThirdPartyEvaluation"] = third == "是"
    for title, key, _ in IMPORT_COLUMNS:
        limit = IMPORT_LIMITS.get(key)
        if limit and len(entry.get(key, "")) > limit:
            problems.append(f"第{number}行 {title}: 不能超过{limit}个字符")
    return entry


def _student(entry):
    return (
        entry["std_name"],
        entry.get("std_school", ""),
        entry.get("std_grade", ""),
        entry.get("std_class", ""),
    )


def _record(archive, count, entry):
    name, school, grade, class_name = _student(entry)
    return InterviewRecord(
        archive=archive,
        count=count,
        name=name,
        gender=entry.get("gender", ""),
        student_id=entry.get("studentId", ""),
        school=school,
        grade=grade,
        class_name=class_name,
        date=entry["date"],
        time=entry.get("time", ""),
        duration=entry.get("duration", ""),
        visit_status=entry.get("visitStatus", ""),
        description=entry.get("description", ""),
        doctor_evaluation=entry.get("doctorEvaluation", ""),
        follow_up_plan=entry.get("followUpPlan", ""),
        next_visit_plan=entry.get("nextVisitPlan", ""),
        crisis_status=entry.get("crisisStatus", ""),
        consultant_name=entry.get("consultantName", ""),
        is_third_party_evaluation=entry["isThirdPartyEvaluation"],
    )


def _archives_for(actor, entries):
    """{student key: archive} for every student of the file: the caller's existing archives (locked,
    so record numbers stay consecutive), then the missing ones created in one insert."""
    keys = {_student(entry) for entry in entries}
    existing = visible_to(actor, Archive.objects.all()).filter(std_name__in={key[0] for key in keys})
    found = {}
    for archive in existing.select_for_update().order_by("pk"):
        found.setdefault(
            (archive.std_name, archive.std_school, archive.std_grade, archive.std_class), archive
        )
    new = {}
    for entry in entries:
        key = _student(entry)
        if key not in found and key not in new:
            new[key] = Archive(
                consultant=actor,
                std_name=key[0],
                std_school=key[1],
                std_grade=key[2],
                std_class=key[3],
                interview_type=entry.get("interview_type", ""),
                interview_status=entry.get("visitStatus", ""),
            )
    Archive.objects.bulk_create(new.values(), batch_size=BULK_BATCH)
    return {key: found[key] for key in keys if key in found}, new


def _records_write(actor, entries):
    existing, new = _archives_for(actor, entries)
    archives = {**existing, **new}
    counts = dict(
        InterviewRecord.objects.filter(archive__in=list(existing.values()))
        .values("archive")
        .annotate(n=Count("pk"))
        .values_list("archive", "n")
    )
    records = []
    for entry in entries:
        archive = archives[_student(entry)]
        archive.doctor_evaluation = entry.get("doctorEvaluation", "") or archive.doctor_evaluation
        archive.follow_up_plan = entry.get("followUpPlan", "") or archive.follow_up_plan
        archive.interview_status = entry.get("visitStatus", "") or archive.interview_status
        archive.updated_at = timezone.now()
        counts[archive.pk] = counts.get(archive.pk, 0) + 1
        records.append(_record(archive, counts[archive.pk], entry))
    Archive.objects.bulk_update(archives.values(), ARCHIVE_UPDATED, batch_size=BULK_BATCH)
    InterviewRecord.objects.bulk_create(records, batch_size=BULK_BATCH)
    return len(new), len(records)


def records_import(*, actor, upload):
    """Rows in the built-in template's layout become archives and records, all or nothing. Rows of one
    student (name, school, grade, class) go to one archive, an existing one of the caller included."""
    rows = read_table(upload, "files")
    if not rows:
        raise InvalidParam.field("files", "表格为空")
    positions = _column_positions(rows)
    problems = []
    entries = [_record_entry(number, row, positions, problems) for number, row in rows[1:]]
    if problems:
        _refuse(problems)
    with transaction.atomic():
        archives, records = _records_write(actor, entries)
    return {"archives": archives, "records": records}


def _schedule_rows(upload):
    rows = read_table(upload, "files")
    if not rows or [str(value or "").strip() for value in rows[0][1][:3]] != SCHEDULE_HEADER:
        raise InvalidParam(f"第1行 表头: 须为 {' | '.join(SCHEDULE_HEADER)}")
    return [(number, list(row) + [None] * (3 - len(row))) for number, row in rows[1:]]


def _schedule_plan(body, staff, problems):
    """{(user id, date): (user, slots, row numbers)} of the file; problems are appended."""
    plan = {}
    for number, row in body:
        day = as_date(row[0])
        if day is None:
            problems.append(f"第{number}行 日期: 须为日期或 YYYY-MM-DD")
        username = str(row[1] or "").strip()
        user = staff.get(username)
        if user is None:
            problems.append(f"第{number}行 用户名: 只能为本人或您督导的咨询师排班，不能为 {username!r} 排班")
        texts = [part for part in str(row[2] or "").replace("，", ",").split(",") if part.strip()]
        try:
            slots = workspace.parse_slots(texts, field="时间段") if texts else []
        except InvalidParam as exc:
            problems.append(f"第{number}行 时间段: {exc.message.split('] ', 1)[-1]}")
            continue
        if day is not None and user is not None:
            entry = plan.setdefault((user.pk, day), (user, [], []))
            entry[1].extend(slots)
            entry[2].append(number)
    return plan


def schedule_import(*, actor, upload):
    """Rows `日期 | 用户名 | 时间段` replace the work slots of each (user, date) named: the caller's own, and
    a supervisor's bound counsellors' (`users.scoping.SCHEDULE`); any other name refuses the whole file.
    All or nothing. Answers the number of (user, date) pairs written."""
    body = _schedule_rows(upload)
    usernames = {str(row[1]).strip() for _, row in body if row[1] not in (None, "")}
    staff_of_institution = User.objects.filter(
        username__in=usernames, type__in=DutyType.values, deleted_at__isnull=True
    )
    staff = {user.username: user for user in visible_to(actor, staff_of_institution, purpose=SCHEDULE)}
    problems = []
    plan = _schedule_plan(body, staff, problems)
    for user, slots, numbers in plan.values():
        try:
            workspace.check_slots(slots)
        except InvalidParam:
            problems.append(f"第{'、'.join(map(str, numbers))}行 时间段: {user.username} 同一天的时间段重叠")
    if problems:
        raise InvalidParam("；".join(problems[:IMPORT_MAX_PROBLEMS]))
    workspace.work_slots_replace(
        plan={key: (user, sorted(slots)) for key, (user, slots, _) in plan.items()}, actor=actor
    )
    return {"days": len(plan)}

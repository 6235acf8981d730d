"""Interview archives, their records, intake profiles, templates and imports (seed 001 咨询档案)."""

import io
import re
import secrets
import zipfile
from datetime import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from openpyxl import Workbook

from hotline.api.errors import InvalidParam, NotFound
from hotline.api.timeutil import SHANGHAI
from hotline.limits import DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT
from users.audit import audit_record

from .models import Archive, IntakeProfile, InterviewRecord, Order, Template
from .spreadsheets import as_date, read_table, read_upload

ARCHIVE_FIELDS = [
    "std_name",
    "std_grade",
    "std_class",
    "std_school",
    "interview_status",
    "interview_type",
    "doctor_evaluation",
    "follow_up_plan",
]
# API name -> model attribute of a record
RECORD_FIELDS = {
    "count": "count",
    "name": "name",
    "gender": "gender",
    "studentId": "student_id",
    "school": "school",
    "grade": "grade",
    "class": "class_name",
    "date": "date",
    "time": "time",
    "duration": "duration",
    "visitStatus": "visit_status",
    "description": "description",
    "doctorEvaluation": "doctor_evaluation",
    "followUpPlan": "follow_up_plan",
    "nextVisitPlan": "next_visit_plan",
    "crisisStatus": "crisis_status",
    "consultantName": "consultant_name",
    "isThirdPartyEvaluation": "is_third_party_evaluation",
}
BASIC_RECORD_FIELDS = {
    "count",
    "name",
    "gender",
    "studentId",
    "school",
    "grade",
    "class",
    "date",
    "time",
    "duration",
}
UPDATABLE_RECORD_FIELDS = [name for name in RECORD_FIELDS if name not in BASIC_RECORD_FIELDS]
INTAKE_FIELDS = [
    "name",
    "id",
    "gender",
    "age",
    "education",
    "occupation",
    "maritalStatus",
    "contact",
    "emergencyContact",
    "referral",
    "complaint",
    "goal",
]
BUILTIN_TEMPLATE = "访谈记录导入模板.xlsx"
# (column title, record/archive key, required)
IMPORT_COLUMNS = [
    ("学生姓名", "std_name", True),
    ("性别", "gender", False),
    ("学籍号", "studentId", False),
    ("学校", "std_school", False),
    ("年级", "std_grade", False),
    ("班级", "std_class", False),
    ("访谈类型", "interview_type", False),
    ("访谈日期", "date", True),
    ("访谈时间", "time", False),
    ("访谈时长", "duration", False),
    ("访谈状态", "visitStatus", False),
    ("客观描述", "description", False),
    ("医生评定", "doctorEvaluation", False),
    ("后续计划", "followUpPlan", False),
    ("下次访谈计划", "nextVisitPlan", False),
    ("危机状态", "crisisStatus", False),
    ("咨询师姓名", "consultantName", False),
    ("是否他评", "isThirdPartyEvaluation", False),
]
# the stored columns' lengths, so an over-long cell is a listed problem, not a database error
IMPORT_LIMITS = {
    "std_name": 64,
    "gender": 2,
    "studentId": 64,
    "std_school": 128,
    "std_grade": 64,
    "std_class": 64,
    "interview_type": 64,
    "duration": 32,
    "visitStatus": 64,
    "crisisStatus": 64,
    "consultantName": 64,
}
SAFE_TEMPLATE_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,120}\.(xlsx|xls)$", re.IGNORECASE)


# ---- archives -------------------------------------------------------------------------------------


def archives_of(user, filters):
    queryset = Archive.objects.filter(consultant=user).annotate(interview_count=Count("records"))
    for name in ARCHIVE_FIELDS:
        value = filters.get(name)
        if value not in (None, ""):
            queryset = queryset.filter(**{f"{name}__icontains": value})
    count = filters.get("interview_count")
    if count not in (None, ""):
        try:
            queryset = queryset.filter(interview_count=int(count))
        except (TypeError, ValueError):
            raise InvalidParam.field("interview_count", "须为整数") from None
    return queryset.order_by("-create_time", "-id")


def archive_row(archive):
    row = {"id": archive.pk, **{name: getattr(archive, name) for name in ARCHIVE_FIELDS}}
    row["interview_count"] = str(getattr(archive, "interview_count", None) or archive.records.count())
    row["create_time"] = archive.create_time.astimezone(SHANGHAI).strftime(DATETIME_FORMAT)
    return row


def access_archive(user, archive_id, *, for_update=False):
    queryset = Archive.objects.filter(pk=archive_id, consultant=user)
    if for_update:
        queryset = queryset.select_for_update()
    archive = queryset.first()
    if archive is None:
        raise NotFound("档案不存在")
    return archive


def archive_create(*, user, data):
    return Archive.objects.create(consultant=user, **{name: data.get(name) or "" for name in ARCHIVE_FIELDS})


def archive_delete(*, user, archive_id, ip=""):
    """The archive and all its records go, as the seed says; the audit entry keeps who, when and what."""
    with transaction.atomic():
        archive = access_archive(user, archive_id, for_update=True)
        record_ids = list(archive.records.values_list("pk", flat=True))
        audit_record(
            actor=user,
            action="archive.delete",
            object_type="archive",
            object_ids=[archive.pk],
            detail={"std_name": archive.std_name, "std_school": archive.std_school, "records": record_ids},
            ip=ip,
        )
        archive.delete()


# ---- records --------------------------------------------------------------------------------------


def record_row(record):
    row = {"id": record.pk}
    for api_name, attribute in RECORD_FIELDS.items():
        value = getattr(record, attribute)
        row[api_name] = value if isinstance(value, bool) else ("" if value is None else str(value))
    row["signatureImage"] = record.signature_image
    row["attachImage"] = record.attach_images[0] if record.attach_images else ""
    row["attachImages"] = list(record.attach_images)
    return row


def records_of(archive):
    return archive.records.order_by("count", "id")


def _record_values(data, names):
    values = {}
    for api_name in names:
        if api_name in data and api_name != "count":
            values[RECORD_FIELDS[api_name]] = data[api_name]
    return values


def record_create(*, archive, data, signature_url="", attach_urls=()):
    with transaction.atomic():
        if Archive.objects.select_for_update().filter(pk=archive.pk).first() is None:
            raise NotFound("档案不存在")
        count = data.get("count") or (archive.records.count() + 1)
        record = InterviewRecord.objects.create(
            archive=archive,
            count=count,
            signature_image=signature_url or data.get("signatureImageUrl", ""),
            attach_images=list(attach_urls),
            **_record_values(data, RECORD_FIELDS),
        )
    return record


def access_record(user, record_id):
    record = InterviewRecord.objects.filter(pk=record_id, archive__consultant=user).first()
    if record is None:
        raise NotFound("咨询记录不存在")
    return record


def record_update(*, record, data, signature_url=None, attach_urls=None):
    """Only the fields the seed lists for update; the basic ones are ignored."""
    for attribute, value in _record_values(data, UPDATABLE_RECORD_FIELDS).items():
        setattr(record, attribute, value)
    if signature_url is not None:
        record.signature_image = signature_url
    if attach_urls is not None:
        record.attach_images = list(attach_urls)
    record.save()
    return record


# ---- intake profiles ------------------------------------------------------------------------------


def access_order(user, order_id):
    order = Order.objects.filter(pk=order_id, consultant=user).first()
    if order is None:
        raise NotFound("咨询订单不存在")
    return order


def intake_of(order):
    stored = IntakeProfile.objects.filter(order=order).first()
    data = stored.data if stored else {}
    emergency = data.get("emergencyContact") or {}
    return {
        "name": data.get("name") or order.name,
        "id": str(order.pk),
        "gender": data.get("gender") or order.gender,
        "age": str(data.get("age") or order.age),
        "education": data.get("education", ""),
        "occupation": data.get("occupation", ""),
        "maritalStatus": data.get("maritalStatus", ""),
        "contact": data.get("contact") or order.contact,
        "emergencyContact": {key: emergency.get(key, "") for key in ("name", "relationship", "phone")},
        "referral": data.get("referral", ""),
        "complaint": data.get("complaint", ""),
        "goal": data.get("goal", ""),
    }


def intake_save(*, order, profile):
    IntakeProfile.objects.update_or_create(order=order, defaults={"data": profile})


# ---- templates ------------------------------------------------------------------------------------


def _templates_dir(institution_id):
    path = Path(settings.MEDIA_ROOT) / "templates" / str(institution_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def builtin_template_bytes():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "访谈记录"
    sheet.append([title for title, _, _ in IMPORT_COLUMNS])
    sheet.append(
        [
            "张三",
            "男",
            "S2024001",
            "华东师范大学附属中学",
            "高一",
            "3班",
            "个体访谈",
            "2026-09-01",
            "14:00",
            "50分钟",
            "已完成",
            "情绪低落，睡眠不佳",
            "轻度焦虑",
            "两周后复访",
            "持续关注睡眠",
            "无",
            "李老师",
            "否",
        ]
    )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def template_list(user):
    builtin = [{"fileName": BUILTIN_TEMPLATE, "fileSize": str(len(builtin_template_bytes()))}]
    uploaded = Template.objects.filter(institution_id=user.institution_id).order_by("file_name")
    return builtin + [{"fileName": item.file_name, "fileSize": str(item.size)} for item in uploaded]


def template_upload(*, user, upload):
    name = Path(upload.name or "").name.strip()
    if not SAFE_TEMPLATE_NAME.match(name) or name == BUILTIN_TEMPLATE:
        raise InvalidParam.field("files", "文件名须以 .xlsx 或 .xls 结尾且不能与内置模板同名")
    read_table(upload, "files")  # a template must be a readable spreadsheet, not just carry the magic bytes
    upload.seek(0)
    kind, data = read_upload(upload, "files")
    template_store(user=user, name=name, kind=kind, data=data)
    return name


def template_store(*, user, name, kind, data):
    """Save (or replace) the institution's template called `name`."""
    stored = f"{secrets.token_hex(12)}.{kind}"
    with transaction.atomic():
        existing = (
            Template.objects.select_for_update()
            .filter(institution_id=user.institution_id, file_name=name)
            .first()
        )
        if existing is not None:
            stored = existing.stored_name
        (_templates_dir(user.institution_id) / stored).write_bytes(data)
        Template.objects.update_or_create(
            institution_id=user.institution_id,
            file_name=name,
            defaults={"stored_name": stored, "size": len(data), "uploaded_by": user},
        )


def template_files(user, names):
    """[(file name, bytes)] for names of the caller's institution (the built-in one included)."""
    found = []
    for name in names:
        if name == BUILTIN_TEMPLATE:
            found.append((name, builtin_template_bytes()))
            continue
        template = Template.objects.filter(institution_id=user.institution_id, file_name=name).first()
        path = _templates_dir(user.institution_id) / template.stored_name if template else None
        if path is None or not path.is_file():
            raise NotFound(f"模板不存在: {name}")
        found.append((name, path.read_bytes()))
    return found


def zip_files(files):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return output.getvalue()


# ---- import ---------------------------------------------------------------------------------------


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


MAX_PROBLEMS = 500


def import_records(*, user, upload):
    """Rows in the built-in template's layout become archives and records, all or nothing.
    Rows of one student (name, school, grade, class) go to one archive, an existing one included."""
    rows = read_table(upload, "files")
    if not rows:
        raise InvalidParam.field("files", "表格为空")
    header_number, header_row = rows[0]
    header = [_text(value) for value in header_row]
    problems = []
    positions = {}
    for title, key, required in IMPORT_COLUMNS:
        if title in header:
            positions[key] = header.index(title)
        elif required:
            problems.append(f"第{header_number}行 {title}: 缺少该列")
    if problems:
        raise InvalidParam("；".join(problems))
    parsed = []
    for number, row in rows[1:]:
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
        parsed.append(entry)
    if problems:
        shown = "；".join(problems[:MAX_PROBLEMS])
        raise InvalidParam(shown if len(problems) <= MAX_PROBLEMS else f"{shown}；…共{len(problems)}处问题")
    created_archives = created_records = 0
    with transaction.atomic():
        cache = {}
        for entry in parsed:
            key = (
                entry["std_name"],
                entry.get("std_school", ""),
                entry.get("std_grade", ""),
                entry.get("std_class", ""),
            )
            archive = cache.get(key)
            if archive is None:
                archive = Archive.objects.filter(
                    consultant=user, std_name=key[0], std_school=key[1], std_grade=key[2], std_class=key[3]
                ).first()
                if archive is None:
                    archive = Archive.objects.create(
                        consultant=user,
                        std_name=key[0],
                        std_school=key[1],
                        std_grade=key[2],
                        std_class=key[3],
                        interview_type=entry.get("interview_type", ""),
                        interview_status=entry.get("visitStatus", ""),
                    )
                    created_archives += 1
                cache[key] = archive
            archive.doctor_evaluation = entry.get("doctorEvaluation", "") or archive.doctor_evaluation
            archive.follow_up_plan = entry.get("followUpPlan", "") or archive.follow_up_plan
            archive.interview_status = entry.get("visitStatus", "") or archive.interview_status
            archive.save()
            InterviewRecord.objects.create(
                archive=archive,
                count=archive.records.count() + 1,
                name=entry["std_name"],
                gender=entry.get("gender", ""),
                student_id=entry.get("studentId", ""),
                school=key[1],
                grade=key[2],
                class_name=key[3],
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
            created_records += 1
    return {"archives": created_archives, "records": created_records}

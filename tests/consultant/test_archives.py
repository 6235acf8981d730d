"""Interview archives, records, intake profiles, templates and imports (seed 001 咨询档案, CONTRACT §9)."""

import io
import zipfile
from datetime import date

import pytest
import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from consultant.fields import IMPORT_COLUMNS
from consultant.models import Archive, InterviewRecord
from consultant.workbooks import BUILTIN_TEMPLATE
from tests.consultant.helpers import ws_data, ws_error
from tests.consultant.test_workspace import order_body
from tests.helpers import make_user
from users.models import AuditEntry, UserType
from users.tokens import token_pair

W = "/api/consultant"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
TITLES = [title for title, _, _ in IMPORT_COLUMNS]


def archive_body(**overrides):
    body = {
        "std_name": "张三",
        "std_grade": "高一",
        "std_class": "3班",
        "std_school": "华东师范大学附属中学",
        "interview_count": "0",
        "interview_status": "进行中",
        "interview_type": "个体访谈",
        "doctor_evaluation": "",
        "follow_up_plan": "",
    }
    body.update(overrides)
    return body


def xlsx_bytes(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def xls_bytes(rows):
    book = xlwt.Workbook()
    sheet = book.add_sheet("s")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def import_row(name="李四", day="2026-09-01", **overrides):
    values = dict.fromkeys(TITLES, "")
    values.update(
        {
            "学生姓名": name,
            "访谈日期": day,
            "性别": "女",
            "学校": "一中",
            "年级": "高二",
            "班级": "1班",
            "访谈时间": "14:00",
            "危机状态": "无",
            "是否他评": "否",
        }
    )
    values.update(overrides)
    return [values[title] for title in TITLES]


@pytest.fixture
def multipart(anon, ws_user):
    token = token_pair(ws_user)["access"]

    def post(path, fields=None, user=None):
        body = {"token": token if user is None else token_pair(user)["access"], **(fields or {})}
        return anon.post(path, body, format="multipart")

    return post


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# ---- archives -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/consuntant/interview/records/create", f"{W}/interview/records/create"]
)
def test_create_and_list_archives(ws, path):
    created = ws(path, archive_body())
    archive_id = created.json()["id"]
    data = ws_data(ws(f"{W}/interview/records", {"page": 1, "page_size": "10"}))
    assert data["total"] == 1
    row = data["data"][0]
    assert row["id"] == archive_id and row["std_name"] == "张三" and row["interview_count"] == "0"
    assert set(row) == {
        "id",
        "std_name",
        "std_grade",
        "std_class",
        "std_school",
        "interview_count",
        "interview_status",
        "interview_type",
        "doctor_evaluation",
        "follow_up_plan",
        "create_time",
    }


@pytest.mark.django_db
def test_archive_filters(ws):
    ws(f"{W}/interview/records/create", archive_body())
    ws(
        f"{W}/interview/records/create",
        archive_body(std_name="王五", std_school="二中", interview_type="团体访谈"),
    )

    def names(**filters):
        return [row["std_name"] for row in ws_data(ws(f"{W}/interview/records", filters))["data"]]

    assert names(std_name="王") == ["王五"]
    assert names(std_school="附属") == ["张三"]
    assert names(interview_type="团体访谈") == ["王五"]
    assert names(interview_count="0") == ["王五", "张三"]
    assert "[interview_count]" in ws_error(ws(f"{W}/interview/records", {"interview_count": "x"}), 400, -2)


@pytest.mark.django_db
def test_archive_create_requires_a_name(ws):
    assert "[std_name]" in ws_error(ws(f"{W}/interview/records/create", archive_body(std_name="")), 400, -2)


@pytest.mark.django_db
def test_records_count_and_profile(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    signature = SimpleUploadedFile("sign.png", PNG)
    attach = [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.png", PNG)]
    created = multipart(
        f"{W}/interview/records/profile/create",
        {
            "id": archive_id,
            "name": "张三",
            "gender": "男",
            "studentId": "S1",
            "school": "附中",
            "grade": "高一",
            "class": "3班",
            "date": "2026-09-01",
            "time": "14:00",
            "duration": "50分钟",
            "visitStatus": "已完成",
            "description": "情绪低落",
            "doctorEvaluation": "轻度焦虑",
            "followUpPlan": "复访",
            "nextVisitPlan": "两周后",
            "crisisStatus": "无",
            "consultantName": "王老师",
            "isThirdPartyEvaluation": "false",
            "signatureImage": signature,
            "attachImages": attach,
        },
    )
    record_id = created.json()["id"]
    ws_data(created)
    multipart(
        f"{W}/interview/records/profile/create", {"id": archive_id, "name": "张三", "date": "2026-09-15"}
    )
    records = ws_data(ws(f"{W}/interview/records/profile", {"id": archive_id}))
    assert [row["count"] for row in records] == ["1", "2"]
    first = records[0]
    assert first["id"] == record_id and first["class"] == "3班" and first["studentId"] == "S1"
    assert first["isThirdPartyEvaluation"] is False and "/file/download?fileName=" in first["signatureImage"]
    assert first["attachImage"] and len(first["attachImages"]) == 2
    listed = ws_data(ws(f"{W}/interview/records"))["data"][0]
    assert listed["interview_count"] == "2"


@pytest.mark.django_db
def test_record_update_changes_only_the_non_basic_fields(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    record_id = multipart(
        f"{W}/interview/records/profile/create",
        {"id": archive_id, "name": "张三", "date": "2026-09-01", "crisisStatus": "无"},
    ).json()["id"]
    updated = ws_data(
        multipart(
            f"{W}/interview/records/profile/update",
            {
                "id": record_id,
                "crisisStatus": "高危",
                "description": "出现自伤念头",
                "name": "改名",
                "date": "2030-01-01",
                "isThirdPartyEvaluation": "true",
            },
        )
    )
    assert updated["crisisStatus"] == "高危" and updated["description"] == "出现自伤念头"
    assert (
        updated["name"] == "张三"
        and updated["date"] == "2026-09-01"
        and updated["isThirdPartyEvaluation"] is True
    )


@pytest.mark.django_db
def test_record_endpoints_validate(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    assert "[date]" in ws_error(
        multipart(f"{W}/interview/records/profile/create", {"id": archive_id, "date": "September"}), 400, -2
    )
    bad = SimpleUploadedFile("x.png", b"MZ" + b"\x00" * 100)
    assert "[signatureImage]" in ws_error(
        multipart(f"{W}/interview/records/profile/create", {"id": archive_id, "signatureImage": bad}), 400, -2
    )
    assert ws_error(ws(f"{W}/interview/records/profile", {}), 400, -2) == "key [id] not optional"


@pytest.mark.django_db
def test_delete_removes_the_archive_with_its_records_and_is_audited(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    multipart(
        f"{W}/interview/records/profile/create", {"id": archive_id, "name": "张三", "date": "2026-09-01"}
    )
    ws_data(ws(f"{W}/interview/records/delete", {"id": archive_id}))
    assert not Archive.objects.exists() and not InterviewRecord.objects.exists()
    entry = AuditEntry.objects.get(action="archive.delete")
    assert (
        entry.object_ids == [archive_id]
        and entry.detail["std_name"] == "张三"
        and len(entry.detail["records"]) == 1
    )
    ws_error(ws(f"{W}/interview/records/delete", {"id": archive_id}), 404, -4)


@pytest.mark.django_db
def test_a_counselor_sees_and_changes_only_its_own_archives(ws, multipart, ecnu, media):
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    record_id = multipart(
        f"{W}/interview/records/profile/create", {"id": archive_id, "name": "张三", "date": "2026-09-01"}
    ).json()["id"]
    assert ws_data(ws(f"{W}/interview/records", user=other))["total"] == 0
    ws_error(ws(f"{W}/interview/records/profile", {"id": archive_id}, user=other), 404, -4)
    ws_error(ws(f"{W}/interview/records/delete", {"id": archive_id}, user=other), 404, -4)
    ws_error(
        multipart(f"{W}/interview/records/profile/create", {"id": archive_id, "name": "x"}, user=other),
        404,
        -4,
    )
    ws_error(
        multipart(
            f"{W}/interview/records/profile/update", {"id": record_id, "crisisStatus": "x"}, user=other
        ),
        404,
        -4,
    )
    assert Archive.objects.filter(pk=archive_id).exists()
    assert InterviewRecord.objects.get(pk=record_id).crisis_status == ""


# ---- intake profiles ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_intake_profile_starts_from_the_order_and_is_overwritten(ws, ecnu):
    order_id = ws(f"{W}/orders/create", order_body()).json()["id"]
    profile = ws_data(ws(f"{W}/interview/records/personal-profile", {"id": order_id}))
    assert profile["name"] == "张三" and profile["id"] == str(order_id) and profile["age"] == "20"
    assert (
        profile["emergencyContact"] == {"name": "", "relationship": "", "phone": ""} and profile["goal"] == ""
    )
    written = {
        "name": "张三",
        "gender": "男",
        "age": "20",
        "education": "本科",
        "occupation": "学生",
        "maritalStatus": "未婚",
        "contact": "13800000000",
        "emergencyContact": {"name": "张父", "relationship": "父亲", "phone": "13900000000"},
        "referral": "辅导员转介",
        "complaint": "失眠",
        "goal": "改善睡眠",
    }
    ws_data(ws(f"{W}/interview/records/personal-profile/update", {"id": order_id, "profile": written}))
    profile = ws_data(ws(f"{W}/interview/records/personal-profile", {"id": order_id}))
    assert profile["emergencyContact"]["relationship"] == "父亲" and profile["complaint"] == "失眠"
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    ws_error(ws(f"{W}/interview/records/personal-profile", {"id": order_id}, user=other), 404, -4)


# ---- templates ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_templates_upload_list_and_download(ws, multipart, media, ecnu, other_inst):
    listing = ws_data(ws(f"{W}/interview/template/list"))
    assert listing[0]["fileName"] == BUILTIN_TEMPLATE and int(listing[0]["fileSize"]) > 0
    ws_data(
        multipart(
            f"{W}/interview/upload/template",
            {"files": SimpleUploadedFile("学校模板.xlsx", xlsx_bytes([["a", "b"]]))},
        )
    )
    names = [item["fileName"] for item in ws_data(ws(f"{W}/interview/template/list"))]
    assert names == [BUILTIN_TEMPLATE, "学校模板.xlsx"]
    colleague = make_user(UserType.COUNSELOR, inst=ecnu)
    assert "学校模板.xlsx" in [
        item["fileName"] for item in ws_data(ws(f"{W}/interview/template/list", user=colleague))
    ]
    stranger = make_user(UserType.COUNSELOR, inst=other_inst)
    assert [item["fileName"] for item in ws_data(ws(f"{W}/interview/template/list", user=stranger))] == [
        BUILTIN_TEMPLATE
    ]
    single = ws(f"{W}/interview/download", {"fileNames": [BUILTIN_TEMPLATE]})
    assert single.status_code == 200 and "attachment" in single["Content-Disposition"]
    assert load_workbook(io.BytesIO(single.content)).active[1][0].value == "学生姓名"
    both = ws(f"{W}/interview/download", {"fileNames": [BUILTIN_TEMPLATE, "学校模板.xlsx"]})
    assert both["Content-Type"] == "application/zip"
    assert sorted(zipfile.ZipFile(io.BytesIO(both.content)).namelist()) == sorted(
        [BUILTIN_TEMPLATE, "学校模板.xlsx"]
    )
    ws_error(ws(f"{W}/interview/download", {"fileNames": ["学校模板.xlsx"]}, user=stranger), 404, -4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content",
    [("x.xlsx", b"not a spreadsheet"), ("x.txt", b"PK\x03\x04"), ("../../x.xlsx", b"PK\x03\x04junk")],
)
def test_template_upload_refuses_non_spreadsheets(multipart, media, name, content):
    ws_error(
        multipart(f"{W}/interview/upload/template", {"files": SimpleUploadedFile(name, content)}), 400, -2
    )


# ---- import ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("writer,suffix", [(xlsx_bytes, "xlsx"), (xls_bytes, "xls")])
def test_import_creates_archives_and_records(ws, multipart, media, writer, suffix):
    rows = [
        TITLES,
        import_row("李四", "2026-09-01"),
        import_row("李四", "2026-09-08", 危机状态="高危"),
        import_row("王五", "2026-09-02"),
    ]
    result = ws_data(
        multipart(
            f"{W}/interview/upload/records", {"files": SimpleUploadedFile(f"records.{suffix}", writer(rows))}
        )
    )
    assert result == {"archives": 2, "records": 3}
    archives = {row["std_name"]: row for row in ws_data(ws(f"{W}/interview/records"))["data"]}
    assert archives["李四"]["interview_count"] == "2" and archives["王五"]["interview_count"] == "1"
    records = ws_data(ws(f"{W}/interview/records/profile", {"id": archives["李四"]["id"]}))
    assert [row["crisisStatus"] for row in records] == ["无", "高危"] and records[0]["date"] == "2026-09-01"


@pytest.mark.django_db
def test_import_accepts_date_cells(ws, multipart, media):
    rows = [TITLES, import_row("赵六", date(2026, 10, 1))]
    ws_data(
        multipart(f"{W}/interview/upload/records", {"files": SimpleUploadedFile("r.xlsx", xlsx_bytes(rows))})
    )
    archive = ws_data(ws(f"{W}/interview/records"))["data"][0]
    assert ws_data(ws(f"{W}/interview/records/profile", {"id": archive["id"]}))[0]["date"] == "2026-10-01"


@pytest.mark.django_db
def test_a_bad_row_rejects_the_whole_file_listing_every_problem(multipart, media):
    rows = [
        TITLES,
        import_row("李四"),
        import_row("", "2026-09-01"),
        import_row("王五", "tomorrow", 性别="X"),
    ]
    message = ws_error(
        multipart(f"{W}/interview/upload/records", {"files": SimpleUploadedFile("r.xlsx", xlsx_bytes(rows))}),
        400,
        -2,
    )
    assert "第3行 学生姓名" in message and "第4行 访谈日期" in message and "第4行 性别" in message
    assert not Archive.objects.exists() and not InterviewRecord.objects.exists()


@pytest.mark.django_db
def test_import_needs_the_template_columns(multipart, media):
    rows = [["姓名", "日期"], ["李四", "2026-09-01"]]
    message = ws_error(
        multipart(f"{W}/interview/upload/records", {"files": SimpleUploadedFile("r.xlsx", xlsx_bytes(rows))}),
        400,
        -2,
    )
    assert "第1行 学生姓名" in message


def _zip_bomb():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (60 * 1024 * 1024))
    return output.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content",
    [
        ("r.xlsx", b"plain text, not a spreadsheet"),
        ("r.xlsx", b"PK\x03\x04 broken zip"),
        ("r.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
        ("bomb.xlsx", None),
    ],
)
def test_hostile_spreadsheets_are_refused_not_crashed(multipart, media, name, content):
    content = _zip_bomb() if content is None else content
    ws_error(
        multipart(f"{W}/interview/upload/records", {"files": SimpleUploadedFile(name, content)}), 400, -2
    )
    assert not Archive.objects.exists()


@pytest.mark.django_db
def test_oversized_spreadsheet_is_refused(multipart, media):
    big = SimpleUploadedFile("r.xlsx", b"PK\x03\x04" + b"\x00" * (5 * 1024 * 1024 + 10))
    assert "[files]" in ws_error(multipart(f"{W}/interview/upload/records", {"files": big}), 400, -2)


@pytest.mark.django_db
def test_upload_without_a_file_names_the_field(multipart):
    assert ws_error(multipart(f"{W}/interview/upload/records"), 400, -2) == "key [files] not optional"

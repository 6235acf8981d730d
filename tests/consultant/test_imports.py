"""Spreadsheet imports: records in the built-in template's layout and the schedule upload; all rows validated before anything is written, hostile files refused (CONTRACT §9)."""

import io
import re
import zipfile
from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consultant.models import Archive, InterviewRecord
from scheduling.models import Arrangement
from tests.consultant.helpers import TITLES, W, import_row, ws_data, ws_error, xls_bytes, xlsx, xlsx_bytes
from tests.helpers import make_user
from users.models import UserType
from users.tokens import token_pair


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


@pytest.mark.django_db
def test_over_long_cells_are_listed_problems(multipart, media):
    rows = [TITLES, import_row("张三", "2026-01-02", 学籍号="x" * 200, 危机状态="y" * 200)]
    message = ws_error(
        multipart(f"{W}/interview/upload/records", {"files": SimpleUploadedFile("r.xlsx", xlsx_bytes(rows))}),
        400,
        -2,
    )
    assert "第2行 学籍号" in message and "第2行 危机状态" in message
    assert not Archive.objects.exists()


@pytest.mark.django_db
def test_row_numbers_count_blank_rows(multipart, media):
    rows = [TITLES, [None] * len(TITLES), import_row("张三", "2026-01-02", 性别="X")]
    message = ws_error(
        multipart(f"{W}/interview/upload/records", {"files": SimpleUploadedFile("r.xlsx", xlsx_bytes(rows))}),
        400,
        -2,
    )
    assert "第3行 性别" in message


@pytest.mark.django_db
def test_time_cells_and_loose_times_are_normalised(ws, multipart, media):
    rows = [
        TITLES,
        import_row("张三", "2026-01-02", 访谈时间=time(14, 0)),
        import_row("张三", "2026-01-03", 访谈时间="9:30:00"),
    ]
    ws_data(
        multipart(f"{W}/interview/upload/records", {"files": SimpleUploadedFile("r.xlsx", xlsx_bytes(rows))})
    )
    assert sorted(InterviewRecord.objects.values_list("time", flat=True)) == ["09:30", "14:00"]
    bad = [TITLES, import_row("李四", "2026-01-02", 访谈时间="99:99")]
    assert "访谈时间" in ws_error(
        multipart(f"{W}/interview/upload/records", {"files": SimpleUploadedFile("r.xlsx", xlsx_bytes(bad))}),
        400,
        -2,
    )


def _wide_declared_xlsx():
    """A tiny workbook whose sheet claims to be 16 384 columns by 5 000 rows wide."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([TITLES, import_row()])))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD5000"/>', data)
            target.writestr(item, data)
    return output.getvalue()


@pytest.mark.django_db
def test_a_sheet_declaring_a_huge_width_is_read_within_limits(multipart, media):
    result = ws_data(
        multipart(
            f"{W}/interview/upload/records", {"files": SimpleUploadedFile("r.xlsx", _wide_declared_xlsx())}
        )
    )
    assert result == {"archives": 1, "records": 1}


@pytest.mark.django_db
def test_uploads_answer_a_missing_file_for_json_bodies(ws):
    for path in ("interview/upload/records", "interview/upload/template"):
        assert ws_error(ws(f"{W}/{path}"), 400, -2) == "key [files] not optional"


@pytest.mark.django_db
def test_overlapping_slots_across_rows_name_the_rows(anon, ws_user):
    content = xlsx(
        [
            ["日期", "用户名", "时间段"],
            ["2026-12-05", "wsuser", "09:00-11:00"],
            ["2026-12-05", "wsuser", "10:00-12:00"],
        ]
    )
    body = {"token": token_pair(ws_user)["access"], "files": SimpleUploadedFile("s.xlsx", content)}
    assert "第2、3行 时间段" in ws_error(anon.post(f"{W}/schedule/upload", body, format="multipart"), 400, -2)
    assert not Arrangement.objects.exists()


@pytest.mark.django_db
def test_schedule_upload(anon, ws_user, ecnu, other_inst):
    content = xlsx(
        [
            ["日期", "用户名", "时间段"],
            [date(2026, 12, 5), "wsuser", "09:00-11:00,14:00-16:00"],
            ["2026-12-06", "wsuser", "10:00-12:00"],
        ]
    )
    body = {
        "token": token_pair(ws_user)["access"],
        "user_id": ws_user.id,
        "files": SimpleUploadedFile("s.xlsx", content),
    }
    assert ws_data(anon.post(f"{W}/schedule/upload", body, format="multipart")) == {"days": 2}
    assert Arrangement.objects.filter(user=ws_user, date=date(2026, 12, 5)).count() == 2
    stranger = make_user(UserType.COUNSELOR, inst=other_inst, username="stranger")
    bad = xlsx(
        [["日期", "用户名", "时间段"], ["2026-12-07", "stranger", "09:00-10:00"], ["someday", "wsuser", "x"]]
    )
    body["files"] = SimpleUploadedFile("s.xlsx", bad)
    message = ws_error(anon.post(f"{W}/schedule/upload", body, format="multipart"), 400, -2)
    assert "第2行 用户名" in message and "第3行 日期" in message and "第3行 时间段" in message
    assert not Arrangement.objects.filter(user=stranger).exists()
    body["files"] = SimpleUploadedFile("s.xlsx", xlsx([["a", "b", "c"]]))
    assert "表头" in ws_error(anon.post(f"{W}/schedule/upload", body, format="multipart"), 400, -2)


def upload_schedule(anon, uploader, rows):
    body = {"token": token_pair(uploader)["access"], "files": SimpleUploadedFile("s.xlsx", xlsx(rows))}
    return anon.post(f"{W}/schedule/upload", body, format="multipart")


@pytest.mark.django_db
def test_a_counsellor_cannot_set_a_colleagues_slots_by_spreadsheet(anon, ws_user, ecnu):
    colleague = make_user(UserType.COUNSELOR, inst=ecnu, username="colleague", name="同事")
    Arrangement.objects.create(user=colleague, type="COUNSELOR", date=date(2026, 12, 5))
    rows = [
        ["日期", "用户名", "时间段"],
        ["2026-12-05", "wsuser", "09:00-10:00"],
        ["2026-12-05", "colleague", "10:00-11:00"],
    ]
    message = ws_error(upload_schedule(anon, ws_user, rows), 400, -2)
    assert "第3行 用户名" in message and "colleague" in message
    # The whole file is refused: neither row is written, the colleague's day is untouched.
    assert not Arrangement.objects.filter(user=ws_user).exists()
    assert list(Arrangement.objects.filter(user=colleague).values_list("start_time", flat=True)) == [None]


@pytest.mark.django_db
def test_a_supervisor_sets_its_own_and_its_counsellors_slots_only(anon, ecnu):
    supervisor = make_user(UserType.SUPERVISOR, inst=ecnu, username="sup", name="督导")
    bound = make_user(UserType.COUNSELOR, inst=ecnu, username="bound", name="被督导")
    make_user(UserType.COUNSELOR, inst=ecnu, username="unbound", name="他人")
    bound.supervisors.add(supervisor)
    rows = [
        ["日期", "用户名", "时间段"],
        ["2026-12-05", "sup", "09:00-10:00"],
        ["2026-12-05", "bound", "10:00-11:00"],
    ]
    assert ws_data(upload_schedule(anon, supervisor, rows)) == {"days": 2}
    assert Arrangement.objects.filter(user=bound, date=date(2026, 12, 5)).count() == 1
    rows.append(["2026-12-06", "unbound", "10:00-11:00"])
    assert "第4行 用户名" in ws_error(upload_schedule(anon, supervisor, rows), 400, -2)
    assert not Arrangement.objects.filter(user__username="unbound").exists()

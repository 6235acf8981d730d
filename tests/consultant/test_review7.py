"""Case-file and schedule behaviours added after review: limits, row numbers, duty removal, forms."""

import io
import re
import zipfile
from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consultant.models import Archive, InterviewRecord
from hotline.api.timeutil import today
from scheduling.models import Arrangement
from tests.consultant.helpers import ws_data, ws_error
from tests.consultant.test_archives import TITLES, archive_body, import_row, xlsx_bytes
from tests.consultant.test_schedule import set_day, xlsx
from tests.helpers import day_ms, result_of
from users.tokens import token_pair

W = "/api/consultant"


@pytest.fixture
def multipart(anon, ws_user):
    def post(path, fields=None):
        return anon.post(path, {"token": token_pair(ws_user)["access"], **(fields or {})}, format="multipart")

    return post


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_leave_years_are_bounded(ws):
    body = {"stop_schedules": [{"start_time": "0001-01-01", "end_time": "2026-01-01"}]}
    assert "start_time" in ws_error(ws(f"{W}/schedule/stop/update", body), 400, -2)
    assert ws_data(ws(f"{W}/schedule/stop")) == []


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
def test_empty_form_fields_mean_not_given(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    blank = dict.fromkeys(
        [
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
            "visitStatus",
            "description",
            "crisisStatus",
        ],
        "",
    )
    record_id = ws_data(multipart(f"{W}/interview/records/profile/create", {"id": archive_id, **blank}))["id"]
    updated = ws_data(
        multipart(
            f"{W}/interview/records/profile/update",
            {"id": record_id, **blank, "date": "not a date", "crisisStatus": "高危"},
        )
    )
    assert updated["crisisStatus"] == "高危" and updated["count"] == "1"


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
def test_deleting_a_duty_row_takes_a_counselor_with_slots_off_duty(ws, ws_user, as_user, inst_admin, visitor):
    ws_user.institution = visitor.institution
    ws_user.save()
    ws_data(set_day(ws, today(), ["09:00-10:00", "14:00-15:00"]))
    params = {"timestamp": day_ms(today()), "type": "COUNSELOR"}
    row = result_of(as_user(inst_admin).get("/arrange/theday", params))[0]
    result_of(as_user(inst_admin).delete(f"/arrange/{row['id']}"))
    assert result_of(as_user(visitor).get("/arrange/theday", params)) == []
    response = as_user(visitor).put("/conversation", {"counselor": ws_user.id}, format="json")
    assert response.json()["code"] == -2


@pytest.mark.django_db
def test_month_view_leaves_out_disabled_staff(ws, ws_user, ecnu):
    from tests.helpers import make_user
    from users.models import UserType

    gone = make_user(UserType.COUNSELOR, inst=ecnu, name="停用")
    ws_data(set_day(ws, date(2026, 12, 3), ["09:00-10:00"], user=gone))
    gone.enabled = False
    gone.save()
    assert ws_data(ws(f"{W}/schedule/work", {"year": 2026, "month": 12})) == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", [[], {}, [1]])
def test_non_scalar_values_are_refused_not_crashed(ws, value):
    assert "[status]" in ws_error(ws(f"{W}/orders", {"status": value}), 400, -2)
    for path in ("interview/records/profile/create", "interview/records/profile/update"):
        assert "isThirdPartyEvaluation" in ws_error(
            ws(f"{W}/{path}", {"id": 1, "isThirdPartyEvaluation": value}), 400, -2
        )


@pytest.mark.django_db
def test_record_count_beyond_the_column_is_refused(ws, multipart, media):
    archive_id = ws(f"{W}/interview/records/create", archive_body()).json()["id"]
    response = multipart(f"{W}/interview/records/profile/create", {"id": archive_id, "count": 2147483648})
    assert "[count]" in ws_error(response, 400, -2)
    assert "[id]" in ws_error(ws(f"{W}/orders/accept", {"id": 2**64}), 400, -2)

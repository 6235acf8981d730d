"""The institution's spreadsheet templates: upload, list, download (seed 001 模板文件)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from consultant.workbooks import BUILTIN_TEMPLATE
from tests.consultant.helpers import W, ws_data, ws_error, xlsx_bytes
from tests.helpers import make_user
from users.models import UserType


@pytest.fixture
def uploader(ecnu):
    """Templates are the institution's: supervisors (and administrators) replace them, not counsellors."""
    return make_user(UserType.SUPERVISOR, inst=ecnu, username="tplsup", name="模板督导")


@pytest.mark.django_db
def test_templates_upload_list_and_download(ws, multipart, media, ecnu, other_inst, uploader):
    listing = ws_data(ws(f"{W}/interview/template/list"))
    assert listing[0]["fileName"] == BUILTIN_TEMPLATE and int(listing[0]["fileSize"]) > 0
    ws_data(
        multipart(
            f"{W}/interview/upload/template",
            {"files": SimpleUploadedFile("学校模板.xlsx", xlsx_bytes([["a", "b"]]))},
            user=uploader,
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
def test_template_upload_refuses_non_spreadsheets(multipart, media, name, content, uploader):
    ws_error(
        multipart(
            f"{W}/interview/upload/template", {"files": SimpleUploadedFile(name, content)}, user=uploader
        ),
        400,
        -2,
    )


def _stored_templates(settings, ecnu):
    folder = settings.MEDIA_ROOT / "templates" / str(ecnu.pk)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


@pytest.mark.django_db
def test_replacing_a_template_keeps_one_file(
    ws, multipart, media, settings, ecnu, django_capture_on_commit_callbacks, uploader
):
    for content in ([["a"]], [["b"]]):
        upload = SimpleUploadedFile("学校模板.xlsx", xlsx_bytes(content))
        with django_capture_on_commit_callbacks(execute=True):  # the old file goes after the commit
            ws_data(multipart(f"{W}/interview/upload/template", {"files": upload}, user=uploader))
    assert len(_stored_templates(settings, ecnu)) == 1
    downloaded = ws(f"{W}/interview/download", {"fileNames": ["学校模板.xlsx"]})
    assert load_workbook(io.BytesIO(downloaded.content)).active["A1"].value == "b"


@pytest.mark.django_db
def test_a_refused_file_stores_none_of_the_request(ws, multipart, media, settings, ecnu, uploader):
    uploads = [
        SimpleUploadedFile("好模板.xlsx", xlsx_bytes([["a"]])),
        SimpleUploadedFile("坏模板.xlsx", b"PK\x03\x04 not a workbook"),
    ]
    ws_error(multipart(f"{W}/interview/upload/template", {"files": uploads}, user=uploader), 400, -2)
    assert _stored_templates(settings, ecnu) == []
    assert [item["fileName"] for item in ws_data(ws(f"{W}/interview/template/list"))] == [BUILTIN_TEMPLATE]


@pytest.mark.django_db
def test_a_counsellor_cannot_replace_the_institutions_templates(multipart, media, ws, uploader):
    upload = SimpleUploadedFile("学校模板.xlsx", xlsx_bytes([["a", "b"]]))
    message = ws_error(multipart(f"{W}/interview/upload/template", {"files": upload}), 403, -5)
    assert "督导" in message
    assert [item["fileName"] for item in ws_data(ws(f"{W}/interview/template/list"))] == [BUILTIN_TEMPLATE]

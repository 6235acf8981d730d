"""/file/upload and /file/download: chat files checked by content; who may download them is in
test_file_rights.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers import error_of, result_of

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 2000


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 500


SILK = b"\x02#!SILK_V3" + b"\x01" * 300


@pytest.mark.django_db
@pytest.mark.parametrize("content,extension", [(MP3, "mp3"), (PNG, "png"), (SILK, "silk")])
def test_upload_then_download(as_user, counselor, media, content, extension):
    upload = SimpleUploadedFile("voice.bin", content)
    result = result_of(as_user(counselor).post("/file/upload", {"file": upload}, format="multipart"))
    assert result["fileName"].startswith("liMeijin-") and result["fileName"].endswith(f".{extension}")
    assert f"/file/download?fileName={result['fileName']}&expires=" in result["url"]
    response = as_user(counselor).get("/file/download", {"fileName": result["fileName"]})
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_upload_needs_a_signed_in_user(anon, media):
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

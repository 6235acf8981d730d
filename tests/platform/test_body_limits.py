"""Bodies larger than an endpoint takes are refused (413) from Content-Length alone, before any token is
checked or any byte is read."""

import pytest

from tests.helpers import error_of

HUGE = str(500 * 1024 * 1024)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/consultant/updateAvatar",
        "/api/consuntant/interview/records/create",
        "/api/consultant/interview/records/profile/create",
        "/api/consultant/schedule/upload",
    ],
)
def test_workspace_uploads_refuse_an_oversized_anonymous_body_before_reading_it(anon, path):
    response = anon.post(path, b"x", content_type="multipart/form-data; boundary=b", CONTENT_LENGTH=HUGE)
    body = response.json()
    assert response.status_code == 413 and body["code"] == -2 and body["data"] is None


@pytest.mark.django_db
def test_hotline_endpoints_refuse_an_oversized_body(anon):
    response = anon.post(
        "/auth/login", b"{}", content_type="application/json", CONTENT_LENGTH=str(3 * 1024 * 1024)
    )
    error_of(response, 413, -2)


@pytest.mark.django_db
def test_the_chat_file_upload_takes_up_to_its_own_limit_only(anon):
    near = str(20 * 1024 * 1024)  # within /file/upload's limit: reaches authentication
    response = anon.post(
        "/file/upload", b"x", content_type="multipart/form-data; boundary=b", CONTENT_LENGTH=near
    )
    assert response.status_code == 401
    too_big = str(21 * 1024 * 1024)
    response = anon.post(
        "/file/upload", b"x", content_type="multipart/form-data; boundary=b", CONTENT_LENGTH=too_big
    )
    error_of(response, 413, -2)


@pytest.mark.django_db
def test_the_im_callback_answers_an_oversized_body_in_tencents_shape(anon):
    response = anon.post(
        "/message/callback?SdkAppid=1", b"{}", content_type="application/json", CONTENT_LENGTH=HUGE
    )
    assert response.status_code == 413 and response.json()["ActionStatus"] == "FAIL"


@pytest.mark.django_db
def test_a_malformed_content_length_is_a_clear_400(anon):
    response = anon.post("/auth/login", b"{}", content_type="application/json", CONTENT_LENGTH="abc")
    assert "Content-Length" in error_of(response, 400, -2)

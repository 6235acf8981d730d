"""Every answer is an envelope: unknown paths, wrong methods, bad JSON, auth failures, crashes."""

import pytest

from tests.helpers import error_of, result_of


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "patch"])
def test_unknown_path_answers_envelope_404(anon, method):
    response = getattr(anon, method)("/no/such/path")
    assert response["Content-Type"].startswith("application/json")
    error_of(response, 404, -4)


@pytest.mark.django_db
def test_wrong_method_answers_405_envelope(anon):
    response = anon.delete("/auth/login")
    error_of(response, 405, -2)
    assert "POST" in response["Allow"]


@pytest.mark.django_db
def test_malformed_json_answers_400(anon):
    response = anon.post("/auth/login", data="{not json", content_type="application/json")
    assert "请求体格式错误" in error_of(response, 400, -2)


@pytest.mark.django_db
def test_unsupported_content_type_answers_415(anon):
    response = anon.post("/auth/login", data="<a/>", content_type="application/xml")
    error_of(response, 415, -2)


@pytest.mark.django_db
def test_missing_token_answers_401_envelope(anon):
    error_of(anon.get("/auth/me"), 401, 401)


@pytest.mark.django_db
def test_garbage_token_answers_401_envelope(anon):
    anon.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
    error_of(anon.get("/auth/me"), 401, 401)


@pytest.mark.django_db
def test_workspace_paths_use_the_data_envelope(anon):
    body = anon.get("/api/consultant/nothing-here").json()
    assert body == {"code": -4, "message": body["message"], "data": None}


@pytest.mark.django_db
def test_trailing_slash_is_served_without_redirect(anon):
    with_slash = anon.get("/config/")
    assert with_slash.status_code == 200
    assert result_of(with_slash) == result_of(anon.get("/config"))


@pytest.mark.django_db
def test_request_body_too_large_answers_413(anon, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = anon.post("/auth/login", data={"username": "x" * 5000, "password": "y"}, format="json")
    error_of(response, 413, -2)


@pytest.mark.django_db
@pytest.mark.urls("tests.platform.boom_urls")
@pytest.mark.parametrize("path", ["/boom", "/plain-boom"])
def test_unhandled_exception_is_logged_and_answered_minus_1(anon, path, caplog):
    response = anon.get(path)
    assert error_of(response, 500, -1) == "未知错误"
    assert "secret internal detail" not in response.content.decode()
    request_id = response["X-Request-ID"]
    assert any("secret internal detail" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    assert request_id


@pytest.mark.django_db
def test_request_id_is_echoed(anon):
    response = anon.get("/health", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


@pytest.mark.django_db
def test_health_checks_database(anon):
    assert result_of(anon.get("/health")) == {"database": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,path", [("get", "/user/ms"), ("delete", "/conversation/current"), ("put", "/health")]
)
def test_wrong_method_is_405_before_authentication(anon, method, path):
    response = getattr(anon, method)(path)
    error_of(response, 405, -2)
    assert response["Allow"]


@pytest.mark.django_db
def test_a_viewsets_405_names_its_mapped_methods_and_stays_after_a_get(as_user, visitor, counselor):
    client = as_user(visitor)
    assert client.get("/conversation/current").status_code == 200
    for _ in range(2):  # DRF adds HEAD to a ViewSet's map on the first GET: the answer must not change
        response = client.head("/conversation/current")  # a HEAD answer carries no body
        assert response.status_code == 405 and response["Allow"] == "GET, OPTIONS"
    error_of(client.delete("/conversation/current"), 405, -2)
    response = as_user(counselor).post("/conversation/export/" + "a" * 32)
    error_of(response, 403, -5)  # GET and POST both map to the export action; the role check follows

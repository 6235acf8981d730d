"""The OpenAPI document describes every endpoint and is served publicly."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_is_served_and_lists_the_hotline_paths(anon):
    response = anon.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for expected in [
        "/auth/login",
        "/auth/me",
        "/user/ms",
        "/user/list",
        "/user/ms/counselor",
        "/user/ms/counselor/{username}",
        "/user/ban/{user_id}",
        "/config",
        "/health",
        "/auth/wx/{appid}/login",
        "/wx/user/{appid}/phone",
    ]:
        assert expected in paths, expected
    assert not [path for path in paths if path.endswith("/") and path != "/"]


@pytest.mark.django_db
def test_docs_page_is_served(anon):
    response = anon.get("/api/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

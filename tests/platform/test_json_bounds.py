"""Deeply nested JSON bodies are refused with the envelope, on every JSON endpoint, signed in or not."""

import pytest

from tests.helpers import error_of, make_user
from users.models import UserType

DEEP = "[" * 5000 + "]" * 5000
TOO_DEEP_FOR_US = '{"a":' * 40 + "1" + "}" * 40


@pytest.mark.django_db
@pytest.mark.parametrize("body", [DEEP, TOO_DEEP_FOR_US])
def test_anonymous_login_refuses_a_deeply_nested_body(anon, body):
    message = error_of(anon.post("/auth/login", body, content_type="application/json"), 400, -2)
    assert "嵌套" in message


@pytest.mark.django_db
def test_a_signed_in_endpoint_refuses_it_too(as_user, ecnu):
    visitor = make_user(UserType.VISITOR, inst=ecnu)
    response = as_user(visitor).put("/conversation", DEEP, content_type="application/json")
    assert "嵌套" in error_of(response, 400, -2)


@pytest.mark.django_db
def test_the_workspace_refuses_it_in_its_envelope(anon):
    response = anon.post("/api/consultant/auth/login", DEEP, content_type="application/json")
    body = response.json()
    assert response.status_code == 400 and body["code"] == -2 and "嵌套" in body["message"]


@pytest.mark.django_db
def test_ordinary_nesting_still_parses(anon):
    body = {"username": "nobody", "password": "0" * 32, "extra": {"a": [{"b": [1, 2]}]}}
    error_of(anon.post("/auth/login", body, format="json"), 401, -3)

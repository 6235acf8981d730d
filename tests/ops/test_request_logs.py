"""One JSON log line per request with its id, route, status, duration and user id, and no personal data."""

import re

import pytest

from tests.helpers import client_for, md5, result_of
from tests.messages.helpers import message, post_callback
from users.tokens import token_pair

pytestmark = pytest.mark.django_db

NAME = "李玫瑾"
PHONE = "13812345678"
ID_NUMBER = "110101199003071234"
MESSAGE_TEXT = "我最近总是睡不着，很想找人聊聊"
PASSWORD = "secret123"


@pytest.fixture
def person(counselor):
    counselor.name = NAME
    counselor.phone_number = PHONE
    counselor.id_number = ID_NUMBER
    counselor.save()
    return counselor


def test_a_request_writes_one_json_line_with_its_id_route_status_duration_and_user(person, captured_log):
    response = client_for(person).get("/auth/me", HTTP_X_REQUEST_ID="req-0001")
    assert result_of(response)["username"] == person.username
    [line] = captured_log.request_lines()
    assert line["request_id"] == "req-0001" == response["X-Request-ID"]
    assert line["route"] == "/auth/me"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] == person.id
    assert line["level"] == "INFO"
    assert set(line) == {
        "time",
        "level",
        "logger",
        "request_id",
        "message",
        "method",
        "route",
        "status",
        "duration_ms",
        "user_id",
    }


def test_the_route_is_the_url_pattern_not_the_path(person, sysadmin, captured_log, anon):
    client_for(sysadmin).post(f"/user/ban/{person.id}/")
    anon.get("/no/such/path/13812345678")
    routes = [line["route"] for line in captured_log.request_lines()]
    assert routes == ["/user/ban/<hexid:user_id>", "unmatched"]
    assert person.id not in " ".join(routes)
    assert "13812345678" not in captured_log.text


def test_anonymous_and_refused_requests_are_logged_without_a_user(anon, captured_log):
    response = anon.get("/auth/me")
    assert response.status_code == 401
    [line] = captured_log.request_lines()
    assert line["status"] == 401 and line["user_id"] is None and line["route"] == "/auth/me"


def test_an_answer_before_routing_is_logged_too(anon, captured_log):
    response = anon.post("/auth/login", data="x", content_type="application/json", CONTENT_LENGTH="99999999")
    assert response.status_code == 413
    [line] = captured_log.request_lines()
    assert line["status"] == 413 and line["route"] == "/auth/login"


def test_no_name_phone_id_number_password_token_or_message_text_reaches_the_log(
    person, tim, anon, captured_log
):
    # Sign in with the password, read the profile (name, phone, ID number in the answer), update it,
    # post a chat message through the IM callback, download with the token in the query string.
    login = anon.post("/auth/login", {"username": person.username, "password": md5(PASSWORD)}, format="json")
    assert login.status_code == 200, login.json()
    anon.post("/auth/login", {"username": person.username, "password": md5("wrong")}, format="json")
    access = token_pair(person)["access"]
    me = client_for(person).get("/auth/me")
    assert PHONE in me.content.decode() or NAME in me.content.decode()
    text_element = {"MsgType": "TIMTextElem", "MsgContent": {"Text": MESSAGE_TEXT}}
    stored = post_callback(anon, message("k-1", body=[text_element]))
    assert stored.json()["ActionStatus"] == "OK"
    anon.get(f"/file/download?fileName=none.png&token={access}")
    anon.get("/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}")

    lines = captured_log.request_lines()
    assert len(lines) == 6
    text = captured_log.text
    for secret in (NAME, PHONE, ID_NUMBER, MESSAGE_TEXT, access, md5(PASSWORD), md5("wrong"), PASSWORD):
        assert secret not in text, secret
    assert "token=" not in text and "fileName" not in text


def test_development_lines_are_readable_text(person, captured_log, text_format):
    client_for(person).get("/auth/me", HTTP_X_REQUEST_ID="req-0002")
    [line] = captured_log.text.splitlines()
    assert re.fullmatch(
        rf"\S+ \S+ INFO hotline\.request \[req-0002\] GET /auth/me 200 \d+\.\dms user={person.id}", line
    ), line

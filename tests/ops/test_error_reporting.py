"""SENTRY_DSN: an unexpected error reaches Sentry (a local fake) with no personal data in the event."""

import json

import pytest
import sentry_sdk

from hotline.api.error_reporting import init_error_reporting
from tests.fakes.sentry import FakeSentry
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

NAME = "李玫瑾"
PHONE = "13812345678"
ID_NUMBER = "110101199003071234"
MESSAGE_TEXT = "我最近总是睡不着"


@pytest.fixture
def sentry():
    fake = FakeSentry().start()
    init_error_reporting(fake.dsn, environment="test")
    yield fake
    sentry_sdk.get_client().close(timeout=2)
    sentry_sdk.init(dsn=None)  # reporting off again for the rest of the suite
    fake.stop()


@pytest.mark.urls("tests.ops.crash_urls")
def test_an_unexpected_error_is_reported_without_personal_data(sentry, counselor):
    client = client_for(counselor)
    access = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    client.cookies["sessionid"] = "session-cookie-value"
    body = {"name": NAME, "phone": PHONE, "idNumber": ID_NUMBER, "text": MESSAGE_TEXT}
    response = client.post(
        f"/crash?token={access}&phone={PHONE}", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)

    [event] = [event for event in sentry.events if "exception" in event]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert "[redacted]" in event["exception"]["values"][-1]["value"]
    assert set(event.get("request", {})) <= {"method", "url"}
    sent = b"".join(sentry.envelopes).decode()
    for secret in (NAME, PHONE, ID_NUMBER, MESSAGE_TEXT, access, "session-cookie-value", counselor.username):
        assert secret not in sent, secret
    assert '"vars"' not in sent


@pytest.mark.urls("tests.ops.crash_urls")
def test_the_log_line_of_an_unexpected_error_quotes_no_personal_data(anon, captured_log):
    body = {"name": NAME, "phone": PHONE, "idNumber": ID_NUMBER}
    assert anon.post("/crash", data=json.dumps(body), content_type="application/json").status_code == 500
    [error] = [line for line in captured_log.json_lines() if line["logger"] == "hotline.errors"]
    assert "RuntimeError" in error["exception"] and "Key (phone_number)=([redacted])" in error["exception"]
    for secret in (NAME, PHONE, ID_NUMBER):
        assert secret not in captured_log.text, secret

"""A failed WeChat call never logs the request URL, which carries the app secret (issue 12,
"Secrets in logs and the database")."""

import logging
import socket

import pytest

from tests.helpers import error_of

APPID = "wx4f4bc4dec97d474b"


@pytest.mark.django_db
def test_unreachable_wechat_logs_no_app_secret(anon, wechat, settings, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        settings.WECHAT_API_BASE = f"http://127.0.0.1:{sock.getsockname()[1]}"
    caplog.set_level(logging.INFO)
    error_of(anon.post(f"/auth/wx/{APPID}/login?code=c"), 502, -1)
    assert "WeChat call /sns/jscode2session failed: ConnectionError" in caplog.text
    assert "app-secret" not in caplog.text and "secret=" not in caplog.text

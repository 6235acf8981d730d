"""Users are imported into the IM service once (a background job enqueued with the new user, run by
tests/workers.py; /im/sign tries again), without failing requests."""

import json
import logging
import socket

import pytest

from messages.models import ImAccount
from tests.helpers import md5, result_of


@pytest.mark.django_db
def test_im_sign_imports_the_caller_once(as_user, tim, counselor):
    result_of(as_user(counselor).post("/im/sign"))
    result_of(as_user(counselor).post("/im/sign"))
    assert tim.imported == [{"UserID": "liMeijin", "Nick": "李玫瑾", "FaceUrl": ""}]
    assert ImAccount.objects.get(user=counselor).imported_at is not None


@pytest.mark.django_db
def test_failed_import_never_fails_the_request_and_is_retried(as_user, tim, counselor):
    tim.fail_next = 1
    assert isinstance(result_of(as_user(counselor).post("/im/sign")), str)
    account = ImAccount.objects.get(user=counselor)
    assert account.imported_at is None and "70169" in account.last_error
    result_of(as_user(counselor).post("/im/sign"))
    assert [item["UserID"] for item in tim.imported] == ["liMeijin"]


@pytest.mark.django_db
def test_unreachable_im_never_fails_sign(as_user, tim, counselor, settings):
    settings.TIM_API_BASE = "http://127.0.0.1:9"
    assert isinstance(result_of(as_user(counselor).post("/im/sign")), str)


def test_new_staff_is_imported_after_commit(as_user, tim, inst_admin, job_queue):
    body = {"username": "newbie", "password": md5("pw"), "role": "ROLE_COUNSELOR"}
    result_of(as_user(inst_admin).put("/user/ms", body, format="json"))
    job_queue.run()
    assert [item["UserID"] for item in tim.imported] == ["newbie"]


def test_new_wechat_visitor_is_imported_after_commit(anon, tim, wechat, job_queue):
    wechat.sessions["c"] = {"openid": "openid-new", "session_key": "tiihtNczf5v6AKRyjwEUhQ=="}
    result_of(anon.post("/auth/wx/wx4f4bc4dec97d474b/login?code=c"))
    job_queue.run()
    assert [item["UserID"] for item in tim.imported] == ["openid-new"]
    assert json.dumps(tim.imported)


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["error_code", "http_500", "unreachable"])
def test_failed_import_keeps_no_usersig_nor_url(as_user, tim, counselor, settings, caplog, fault):
    """`last_error` is shown in the admin and the log is read by operators: the error type and the
    provider's ErrorCode only (issue 12, "Secrets in logs and the database")."""
    if fault == "error_code":
        tim.fail_next = 1
    elif fault == "http_500":
        tim.http_error_next = 1
    else:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            settings.TIM_API_BASE = f"http://127.0.0.1:{sock.getsockname()[1]}"
    caplog.set_level(logging.INFO)
    result_of(as_user(counselor).post("/im/sign"))
    error = ImAccount.objects.get(user=counselor).last_error
    assert error
    for text in (error, caplog.text):
        assert "usersig" not in text.lower() and "/v4/" not in text and "127.0.0.1" not in text
        assert all(sig not in text for sig in tim.usersigs)

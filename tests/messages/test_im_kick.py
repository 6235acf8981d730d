"""Banning, deleting or deactivating a user kicks it from the IM service (a background job enqueued
with the ban, tests/workers.py runs it), and /im/sign stops answering for it (issue 12 item 4,
CONTRACT §11). A provider failure never fails the ban and never leaks the administrator UserSig."""

import logging
import socket

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from messages.usersig import verify_usersig
from tests.helpers import error_of, result_of


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_ban_kicks_the_user_once_with_a_valid_admin_sig(as_user, tim, inst_admin, counselor, job_queue):
    result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))
    job_queue.run()
    assert tim.kicked == [{"UserID": "liMeijin"}]
    assert tim.admins == ["administrator"] and tim.refused == []


@pytest.mark.django_db
def test_nothing_is_kicked_before_the_ban_commits(as_user, tim, inst_admin, counselor):
    # The test's transaction never commits, so no worker ever sees the kick job.
    result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))
    assert tim.kicked == []


def test_re_enabling_kicks_nobody(as_user, tim, inst_admin, counselor, job_queue):
    counselor.enabled = False
    counselor.save()
    result_of(as_user(inst_admin).post(f"/user/active/{counselor.id}"))
    job_queue.run()
    assert tim.kicked == [] and job_queue.jobs("messages.kick_im_account") == []


def test_admin_site_ban_kicks(client, tim, sysadmin, counselor, job_queue):
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.post("/admin/login/", {"username": "root", "password": "secret123", "next": "/admin/"})
    response = client.post("/admin/users/user/", {"action": "ban_users", "_selected_action": [counselor.pk]})
    assert response.status_code == 302
    job_queue.run()
    counselor.refresh_from_db()
    assert counselor.enabled is False
    assert tim.kicked == [{"UserID": "liMeijin"}]


def test_staff_delete_kicks(as_user, tim, inst_admin, counselor, job_queue):
    result_of(as_user(inst_admin).delete(f"/user/ms/counselor/{counselor.username}"))
    job_queue.run()
    assert tim.kicked == [{"UserID": "liMeijin"}]


def _fail_with_error_code(tim, settings):
    tim.fail_next = 1


def _fail_with_http_500(tim, settings):
    tim.http_error_next = 1


def _hang_past_the_timeout(tim, settings):
    settings.TIM_TIMEOUT_SECONDS = 0.2
    tim.hang_seconds = 1


def _unreachable(tim, settings):
    settings.TIM_API_BASE = closed_port_url()


@pytest.mark.parametrize(
    "fault", [_fail_with_error_code, _fail_with_http_500, _hang_past_the_timeout, _unreachable]
)
def test_provider_failure_never_fails_the_ban_nor_logs_the_usersig(
    fault, as_user, tim, inst_admin, counselor, settings, caplog, job_queue
):
    fault(tim, settings)
    caplog.set_level(logging.INFO)
    result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))
    job_queue.run()
    counselor.refresh_from_db()
    assert counselor.enabled is False
    assert tim.kicked == []
    assert "IM kick of liMeijin failed" in caplog.text
    assert "usersig" not in caplog.text.lower() and "/v4/" not in caplog.text
    assert all(sig not in caplog.text for sig in tim.usersigs)


def test_provider_error_code_is_logged(as_user, tim, inst_admin, counselor, caplog, job_queue):
    tim.fail_next = 1
    result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))
    job_queue.run()
    assert "ErrorCode=70169" in caplog.text


@pytest.mark.django_db
def test_im_sign_refuses_a_banned_users_token(as_user, tim, inst_admin, counselor):
    client = as_user(counselor)
    result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))
    error_of(client.post("/im/sign"), 401, 401)


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["enabled", "deleted_at", "deactivated_at"])
def test_im_sign_refuses_an_inactive_user_even_when_authenticated(tim, counselor, state):
    """Defence in depth: a UserSig is never minted for an inactive user, whatever let it in."""
    setattr(counselor, state, False if state == "enabled" else timezone.now())
    counselor.save()
    client = APIClient()
    client.force_authenticate(user=counselor)
    error_of(client.post("/im/sign"), 403, -5)
    assert tim.imported == []


@pytest.mark.django_db
def test_im_sign_usersig_lives_one_day_by_default(as_user, tim, counselor, settings):
    valid, document = verify_usersig(result_of(as_user(counselor).post("/im/sign")), settings.TIM_SECRET_KEY)
    assert valid and document["TLS.expire"] == 86400

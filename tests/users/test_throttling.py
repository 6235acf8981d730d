"""Login throttling everywhere a password is typed (CONTRACT §3): hotline, workspace and /admin/, counted
before the password is checked."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.helpers import error_of, md5
from users.models import User


def admin_login(client, password):
    return client.post("/admin/login/", {"username": "root", "password": password, "next": "/admin/"})


@pytest.fixture
def operator(sysadmin):
    User.objects.filter(pk=sysadmin.pk).update(is_staff=True, is_superuser=True)
    return sysadmin


@pytest.mark.django_db
def test_admin_site_locks_an_account_after_repeated_failures(client, anon, operator, settings):
    settings.LOGIN_MAX_FAILURES_PER_USER = 5
    for _ in range(5):
        assert admin_login(client, "wrong-password").status_code == 200  # the form again
    response = admin_login(client, "secret123")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    # The lock is the same one the APIs honour.
    body = {"username": "root", "password": md5("secret123")}
    error_of(anon.post("/auth/login", body, format="json"), 429, -3)


@pytest.mark.django_db
def test_admin_site_sign_in_still_works_below_the_limit(client, operator, settings):
    settings.LOGIN_MAX_FAILURES_PER_USER = 5
    for _ in range(4):
        admin_login(client, "wrong-password")
    assert admin_login(client, "secret123").status_code == 302


@pytest.mark.django_db
def test_failures_through_the_api_lock_the_admin_site_too(client, anon, operator, settings):
    settings.LOGIN_MAX_FAILURES_PER_USER = 3
    for _ in range(3):
        error_of(anon.post("/auth/login", {"username": "root", "password": md5("x")}, format="json"), 401, -3)
    assert admin_login(client, "secret123").status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_get_no_more_password_checks_than_the_limit(http_server, counselor, settings):
    settings.LOGIN_MAX_FAILURES_PER_USER = 5
    body = {"username": counselor.username, "password": md5("wrong")}

    def attempt(_):
        return requests.post(f"{http_server}/auth/login", json=body, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(attempt, range(32)))
    checked = [status for status in statuses if status == 401]
    assert len(checked) <= 5 and statuses.count(429) == 32 - len(checked)
    right = {"username": counselor.username, "password": md5("secret123")}
    assert requests.post(f"{http_server}/auth/login", json=right, timeout=10).status_code == 429

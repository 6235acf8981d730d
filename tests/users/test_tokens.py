"""Refresh tokens (CONTRACT §3, issue: security): spent once, reuse revokes the family, every password
change ends every session."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.helpers import md5, result_of
from users.models import User


def login(client, user, password="secret123"):
    return result_of(
        client.post("/auth/login", {"username": user.username, "password": md5(password)}, format="json")
    )


def refresh(client, token):
    return client.post("/auth/refresh", {"refresh": token}, format="json")


@pytest.mark.django_db(transaction=True)
def test_of_simultaneous_refreshes_of_one_token_exactly_one_succeeds(http_server, counselor):
    body = {"username": counselor.username, "password": md5("secret123")}
    token = requests.post(f"{http_server}/auth/login", json=body, timeout=10).json()["result"]["refresh"]

    def spend(_):
        return requests.post(f"{http_server}/auth/refresh", json={"refresh": token}, timeout=30)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(spend, range(8)))
    winners = [answer for answer in answers if answer.status_code == 200]
    assert len(winners) == 1
    assert all(
        answer.status_code == 401 and answer.json()["code"] == 401
        for answer in answers
        if answer not in winners
    )
    # The losers presented a spent token: the family, the winner's new token included, is revoked.
    new_refresh = winners[0].json()["result"]["refresh"]
    assert (
        requests.post(f"{http_server}/auth/refresh", json={"refresh": new_refresh}, timeout=10).status_code
        == 401
    )


@pytest.mark.django_db
def test_reusing_a_spent_refresh_token_revokes_its_family_only(anon, counselor):
    first = login(anon, counselor)
    other_device = login(anon, counselor)
    second = result_of(refresh(anon, first["refresh"]))
    third = result_of(refresh(anon, second["refresh"]))
    reused = refresh(anon, first["refresh"])
    assert reused.status_code == 401 and "已被使用" in reused.json()["message"]
    assert refresh(anon, third["refresh"]).status_code == 401  # the thief's (or owner's) latest is dead
    assert result_of(refresh(anon, other_device["refresh"]))["access"]  # another sign-in is untouched


@pytest.mark.django_db
def test_a_password_change_through_the_api_ends_refresh_tokens(anon, as_user, counselor):
    pair = login(anon, counselor)
    body = {"oldPassword": md5("secret123"), "password": md5("changed456")}
    result_of(as_user(counselor).post("/user/password", body, format="json"))
    assert refresh(anon, pair["refresh"]).status_code == 401


@pytest.mark.django_db
def test_a_password_change_in_the_django_admin_ends_refresh_tokens(anon, client, sysadmin, counselor):
    pair = login(anon, counselor)
    User.objects.filter(pk=sysadmin.pk).update(is_staff=True, is_superuser=True)
    client.post("/admin/login/", {"username": "root", "password": "secret123", "next": "/admin/"})
    form = {
        "username": counselor.username,
        "type": counselor.type,
        "institution": counselor.institution_id,
        "name": counselor.name,
        "gender": counselor.gender,
        "max_consults": counselor.max_consults,
        "enabled": "on",
        "new_password": "changed-in-admin",
    }
    response = client.post(f"/admin/users/user/{counselor.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    counselor.refresh_from_db()
    assert counselor.check_password(md5("changed-in-admin"))
    assert refresh(anon, pair["refresh"]).status_code == 401


@pytest.mark.django_db
def test_a_token_minted_before_a_password_change_is_refused_even_if_not_blacklisted(anon, counselor):
    pair = login(anon, counselor)
    # A change that bypassed every service (a shell, a migration): the password-hash claim still catches it.
    counselor.set_password(md5("elsewhere"))
    counselor.save(update_fields=["password"])
    assert refresh(anon, pair["refresh"]).status_code == 401

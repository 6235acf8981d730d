"""Password sign-in, tokens, refresh rotation, logout and throttling (seed §1, §2, §4)."""

import pytest

from tests.helpers import error_of, make_user, md5, result_of
from users.models import UserType


def login(client, username, password):
    return client.post("/auth/login", {"username": username, "password": md5(password)}, format="json")


@pytest.mark.django_db
def test_login_answers_token_pair_that_opens_auth_me(anon, counselor):
    pair = result_of(login(anon, "liMeijin", "secret123"))
    assert pair["tokenType"] == "Bearer" and pair["expiresIn"] == 30 * 60
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    me = result_of(anon.get("/auth/me"))
    assert me["username"] == "liMeijin" and me["name"] == "李玫瑾"
    assert me["authorities"] == [{"authority": "ROLE_COUNSELOR"}]
    assert me["roles"] == "ROLE_COUNSELOR" and me["type"] == "COUNSELOR"
    assert "password" not in me


@pytest.mark.django_db
@pytest.mark.parametrize("username,password", [("liMeijin", "wrong-password"), ("nobody", "secret123")])
def test_wrong_credentials_answer_401_minus_3(anon, counselor, username, password):
    message = error_of(login(anon, username, password), 401, -3)
    assert message == "该用户名不存在或已被禁用，请核实后再登录!"


@pytest.mark.django_db
def test_disabled_user_cannot_log_in(anon, counselor):
    counselor.enabled = False
    counselor.save()
    error_of(login(anon, "liMeijin", "secret123"), 401, -3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,field",
    [
        ({"password": md5("x")}, "username"),
        ({"username": "a"}, "password"),
        ({"username": "a", "password": "plain-text"}, "password"),
        ({"username": "a", "password": md5("x").upper()}, "password"),
        ({"username": ["a"], "password": md5("x")}, "username"),
    ],
)
def test_login_input_errors_name_the_field(anon, body, field):
    message = error_of(anon.post("/auth/login", body, format="json"), 400, -2)
    assert f"[{field}]" in message


@pytest.mark.django_db
def test_refresh_rotates_and_old_refresh_is_refused(anon, counselor):
    pair = result_of(login(anon, "liMeijin", "secret123"))
    new_pair = result_of(anon.post("/auth/refresh", {"refresh": pair["refresh"]}, format="json"))
    assert new_pair["refresh"] != pair["refresh"]
    result_of(anon.post("/auth/refresh", {"refresh": new_pair["refresh"]}, format="json"))
    # Presenting the spent one again is a reuse: refused, and its family revoked (tests/users/test_tokens.py).
    error_of(anon.post("/auth/refresh", {"refresh": pair["refresh"]}, format="json"), 401, 401)


@pytest.mark.django_db
def test_refresh_requires_a_token(anon):
    assert "[refresh]" in error_of(anon.post("/auth/refresh", {}, format="json"), 400, -2)
    error_of(anon.post("/auth/refresh", {"refresh": "garbage"}, format="json"), 401, 401)


@pytest.mark.django_db
def test_logout_blacklists_the_refresh_token(anon, counselor):
    pair = result_of(login(anon, "liMeijin", "secret123"))
    assert result_of(anon.post("/logout", {"refresh": pair["refresh"]}, format="json")) == "ok"
    error_of(anon.post("/auth/refresh", {"refresh": pair["refresh"]}, format="json"), 401, 401)


@pytest.mark.django_db
def test_logout_without_body_answers_ok(anon):
    assert result_of(anon.post("/logout")) == "ok"


@pytest.mark.django_db
def test_banned_users_tokens_stop_working(anon, as_user, counselor, inst_admin):
    pair = result_of(login(anon, "liMeijin", "secret123"))
    result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    error_of(anon.get("/auth/me"), 401, 401)
    error_of(anon.post("/auth/refresh", {"refresh": pair["refresh"]}, format="json"), 401, 401)


@pytest.mark.django_db
def test_stale_bearer_header_does_not_block_login(anon, counselor):
    anon.credentials(HTTP_AUTHORIZATION="Bearer expired.or.broken")
    result_of(login(anon, "liMeijin", "secret123"))


@pytest.mark.django_db
def test_username_is_locked_after_repeated_failures(anon, counselor, settings):
    settings.LOGIN_MAX_FAILURES_PER_USER = 3
    for _ in range(3):
        error_of(login(anon, "liMeijin", "bad"), 401, -3)
    error_of(login(anon, "liMeijin", "secret123"), 429, -3)
    other = make_user(UserType.COUNSELOR, username="other_user")
    result_of(login(anon, other.username, "secret123"))


@pytest.mark.django_db
def test_address_is_locked_after_many_failures(anon, counselor, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 4
    for index in range(4):
        error_of(login(anon, f"ghost{index}", "bad"), 401, -3)
    error_of(login(anon, "liMeijin", "secret123"), 429, -3)


@pytest.mark.django_db
def test_success_resets_the_username_counter(anon, counselor, settings):
    settings.LOGIN_MAX_FAILURES_PER_USER = 3
    for _ in range(2):
        error_of(login(anon, "liMeijin", "bad"), 401, -3)
    result_of(login(anon, "liMeijin", "secret123"))
    for _ in range(2):
        error_of(login(anon, "liMeijin", "bad"), 401, -3)
    result_of(login(anon, "liMeijin", "secret123"))


@pytest.mark.django_db
def test_password_is_stored_as_argon2_of_the_md5(counselor):
    assert counselor.password.startswith("argon2$argon2id$")
    assert md5("secret123") not in counselor.password


@pytest.mark.django_db
def test_admin_site_accepts_the_plain_password(client, sysadmin):
    sysadmin.is_staff = True
    sysadmin.is_superuser = True
    sysadmin.save()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": "secret123", "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/users/user/").status_code == 200
    assert client.get("/admin/users/user/?type__exact=COUNSELOR&q=li").status_code == 200


@pytest.mark.django_db
def test_operators_ban_and_enable_users_in_the_admin(client, sysadmin, counselor):
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.post("/admin/login/", {"username": "root", "password": "secret123", "next": "/admin/"})
    changelist = "/admin/users/user/"
    response = client.post(changelist, {"action": "ban_users", "_selected_action": [counselor.pk]})
    assert response.status_code == 302
    counselor.refresh_from_db()
    assert counselor.enabled is False
    client.post(changelist, {"action": "enable_users", "_selected_action": [counselor.pk]})
    counselor.refresh_from_db()
    assert counselor.enabled is True
    assert client.get("/admin/users/auditentry/").status_code == 200
    assert client.get("/admin/hotline_messages/message/").status_code == 200

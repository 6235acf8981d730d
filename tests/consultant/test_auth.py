"""Workspace authentication: the body's userID must match the token, checked before input; 405 before any token (seed 001 认证说明, CONTRACT §3, §9)."""

import pytest

from tests.consultant.helpers import W, ws_data, ws_error
from tests.helpers import make_user
from users.models import UserType
from users.tokens import token_pair


@pytest.mark.django_db
@pytest.mark.parametrize("value", [[], {}, [1]])
def test_non_scalar_values_are_refused_not_crashed(ws, value):
    assert "[status]" in ws_error(ws(f"{W}/orders", {"status": value}), 400, -2)
    for path in ("interview/records/profile/create", "interview/records/profile/update"):
        assert "isThirdPartyEvaluation" in ws_error(
            ws(f"{W}/{path}", {"id": 1, "isThirdPartyEvaluation": value}), 400, -2
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", [f"{W}/orders", f"{W}/orders/", "/api/consuntant/user/comments", f"{W}/schedule/upload"]
)
def test_wrong_method_is_405_even_without_a_token(anon, path):
    for method in (anon.get, anon.put, anon.delete):
        response = method(path)
        assert response.status_code == 405 and response.json()["code"] == -2
        assert response["Allow"] == "POST, OPTIONS"


@pytest.mark.django_db
def test_token_in_the_query_string_is_not_accepted(anon, ws_user):
    token = token_pair(ws_user)["access"]
    response = anon.post(f"{W}/user/profile?token={token}&userID={ws_user.id}", {}, format="json")
    ws_error(response, 401, 401)


DASHBOARD = [
    "today-transactions",
    "category-data",
    "yearly-consultations",
    "time-slot-data",
    "gender-data",
    "age-data",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", [f"dashboard/{name}" for name in DASHBOARD] + ["orders", "user/profile"])
def test_user_id_must_match_the_token(anon, ws_user, ecnu, path):
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    token = token_pair(ws_user)["access"]
    for body in (
        {"userID": other.id, "token": token},
        {"token": token},
        {"userID": ws_user.id},
        {"userID": ws_user.id, "token": "garbage"},
    ):
        message = ws_error(anon.post(f"{W}/{path}", body, format="json"), 401, 401)
        assert message == "认证失败：用户ID与Token不匹配或Token已过期"


@pytest.mark.django_db
def test_token_check_runs_before_input_validation(anon, ws_user):
    ws_error(anon.post(f"{W}/orders/create", {"userID": ws_user.id, "name": ""}, format="json"), 401, 401)


@pytest.mark.django_db
def test_bearer_header_is_accepted_too(anon, ws_user):
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair(ws_user)['access']}")
    assert (
        ws_data(anon.post(f"{W}/user/profile", {"userID": ws_user.id}, format="json"))["username"] == "wsuser"
    )


@pytest.mark.django_db
def test_numeric_looking_user_id_is_compared_as_text(anon, ws_user):
    body = {"userID": ws_user.id, "token": token_pair(ws_user)["access"]}
    ws_data(anon.post(f"{W}/user/profile", body, format="json"))


@pytest.mark.django_db
def test_visitors_and_admins_cannot_use_the_workspace(ws, visitor, inst_admin):
    ws_error(ws(f"{W}/user/profile", user=visitor), 403, -5)
    ws_error(ws(f"{W}/orders", user=inst_admin), 403, -5)

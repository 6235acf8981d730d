"""Workspace behaviours added after review: login names stay unique, sessions end on reset, limits."""

from datetime import time

import pytest

from tests.consultant.conftest import last_code
from tests.consultant.helpers import ws_data, ws_error
from tests.consultant.test_workspace import make_order, order_body
from tests.helpers import error_of, md5, result_of
from users.tokens import token_pair

W = "/api/consultant"


@pytest.mark.django_db
def test_admin_cannot_give_a_staff_email_or_phone_to_another_account(
    as_user, other_admin, inst_admin, ws_user
):
    body = {
        "username": "dupe1",
        "password": md5("pw"),
        "name": "重复",
        "gender": "男",
        "phoneNumber": "13700001111",
        "idNumber": "421124199306160784",
        "department": "d",
        "title": "t",
        "email": "WANG@example.com",
    }
    assert "[email]" in error_of(as_user(other_admin).put("/user/ms/counselor", body, format="json"), 400, -2)
    body.update(email="", phoneNumber="13900001111")
    assert "[phoneNumber]" in error_of(
        as_user(other_admin).put("/user/ms/counselor", body, format="json"), 400, -2
    )
    update = {"username": "wsuser", "phoneNumber": "13900001111", "email": "wang@example.com"}
    result_of(as_user(inst_admin).post("/user/ms/counselor", update, format="json"))  # its own contacts: fine


@pytest.mark.django_db
def test_password_reset_ends_existing_sessions(anon, ws_user):
    token = token_pair(ws_user)["access"]
    anon.post(f"{W}/auth/email", {"email": "wang@example.com"}, format="json")
    body = {
        "accountType": "email",
        "account": "wang@example.com",
        "verificationCode": last_code(),
        "newPassword": "fresh1234",
    }
    ws_data(anon.post(f"{W}/auth/reset-password", body, format="json"))
    ws_error(anon.post(f"{W}/user/profile", {"userID": ws_user.id, "token": token}, format="json"), 401, 401)


@pytest.mark.django_db
def test_profile_keeps_a_login_name_and_its_organization(ws):
    profile = {
        "username": "wsuser",
        "name": "王",
        "phone": "",
        "email": "",
        "organization": "华东师范大学",
        "introduction": "",
        "experience": "",
        "expertise": "",
        "education": "",
        "certifications": "",
    }
    assert "[profile.email]" in ws_error(ws(f"{W}/user/updateProfile", {"profile": profile}), 400, -2)
    profile.update(email="w@example.com", organization="")
    assert "[profile.organization]" in ws_error(ws(f"{W}/user/updateProfile", {"profile": profile}), 400, -2)


@pytest.mark.django_db
def test_code_sends_are_limited_per_address(anon, settings):
    settings.CODE_SENDS_PER_IP_PER_HOUR = 3
    for index in range(3):
        ws_data(anon.post(f"{W}/auth/email", {"email": f"a{index}@example.com"}, format="json"))
    ws_error(anon.post(f"{W}/auth/email", {"email": "a9@example.com"}, format="json"), 429, -3)


@pytest.mark.django_db
def test_seed_paging_example_and_status_spelling(ws):
    ws_data(ws(f"{W}/orders/create", order_body()))
    assert ws_data(ws(f"{W}/orders", {"page": 0, "pageSize": 0}))["total"] == 1
    assert ws_data(ws(f"{W}/orders", {"status": "咨询师中"}))["total"] == 0
    assert len(ws_data(ws(f"{W}/user/comments", {"page": 0, "pageSize": 0}))) == 0


@pytest.mark.django_db
def test_a_visitor_whose_orders_straddle_an_age_bucket_counts_once(ws, ws_user):
    make_order(ws_user, name="甲", contact="1", age=35, at=time(9))
    make_order(ws_user, name="甲", contact="1", age=36, at=time(9))
    assert ws_data(ws(f"{W}/dashboard/age-data")) == {"values": [0, 0, 0, 1, 0, 0]}


@pytest.mark.django_db
def test_wrong_method_is_405_even_without_a_token(anon):
    response = anon.get(f"{W}/orders")
    assert response.status_code == 405 and response.json()["code"] == -2


@pytest.mark.django_db
def test_token_in_the_query_string_is_not_accepted(anon, ws_user):
    token = token_pair(ws_user)["access"]
    response = anon.post(f"{W}/user/profile?token={token}&userID={ws_user.id}", {}, format="json")
    ws_error(response, 401, 401)

"""Workspace accounts: registration, verification codes, sign-in and its throttle, password reset, deactivation (seed 001 认证, CONTRACT §9)."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from consultant.models import VerificationCode
from tests.consultant.helpers import W, last_code, ws_data, ws_error
from tests.helpers import error_of, md5, result_of
from users.models import User
from users.tokens import token_pair


def send_email_code(client, email="new@example.com"):
    return client.post(f"{W}/auth/email", {"email": email}, format="json")


def register(client, code, **overrides):
    body = {
        "userName": "newcounselor",
        "account": "new@example.com",
        "accountType": "email",
        "password": "abc12345",
        "verificationCode": code,
    }
    body.update(overrides)
    return client.post(f"{W}/auth/register", body, format="json")


def login(
    client, account="new@example.com", credential="abc12345", login_type="password", account_type="email"
):
    return client.post(
        f"{W}/auth/login",
        {"loginType": login_type, "accountType": account_type, "account": account, "credential": credential},
        format="json",
    )


@pytest.mark.django_db
def test_register_then_log_in_everywhere(anon, client, ecnu, settings):
    ws_data(send_email_code(anon))
    assert mail.outbox[-1].to == ["new@example.com"]
    ws_data(register(anon, last_code()))
    user = User.objects.get(username="newcounselor")
    assert user.type == "COUNSELOR" and user.institution.code == settings.DEFAULT_INSTITUTION
    assert user.password.startswith("argon2$argon2id$")
    data = ws_data(login(anon))
    assert set(data["userInfo"]) == {
        "userID",
        "userName",
        "name",
        "phone",
        "email",
        "organization",
        "avatar",
        "approved",
    }
    assert data["userInfo"]["approved"] is False and user.approved is False
    assert data["userInfo"]["userID"] == user.id and data["userInfo"]["email"] == "new@example.com"
    assert (
        data["userInfo"]["phone"] == "" and data["userInfo"]["organization"] == settings.DEFAULT_INSTITUTION
    )
    # The same account on the hotline (md5) and in the admin (plain).
    result_of(
        anon.post("/auth/login", {"username": "newcounselor", "password": md5("abc12345")}, format="json")
    )
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {data['token']}")
    assert result_of(anon.get("/auth/me"))["username"] == "newcounselor"


@pytest.mark.django_db
def test_register_by_phone_with_an_sms_code(anon, settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    ws_data(anon.post("/api/consult/auth/phone", {"phone": "13812345678"}, format="json"))
    record = json.loads((tmp_path / "sms.jsonl").read_text().splitlines()[-1])
    assert record["to"] == "13812345678" and record["code"] in record["text"]
    ws_data(register(anon, record["code"], account="13812345678", accountType="phone"))
    assert ws_data(login(anon, "13812345678", account_type="phone"))["userInfo"]["phone"] == "13812345678"
    ws_data(anon.post(f"{W}/auth/phone", {"phone": "13812345679"}, format="json"))  # the corrected path


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"password": "short1"}, "password"),
        ({"password": "onlyletters"}, "password"),
        ({"password": "12345678"}, "password"),
        ({"accountType": "fax"}, "accountType"),
        ({"account": "not-an-email"}, "account"),
        ({"userName": "a b"}, "userName"),
    ],
)
def test_register_validates_fields(anon, overrides, field):
    assert f"[{field}]" in ws_error(register(anon, "000000", **overrides), 400, -2)


@pytest.mark.django_db
def test_register_refuses_a_wrong_code_and_taken_accounts(anon, ws_user):
    ws_data(send_email_code(anon))
    ws_error(register(anon, "000000" if last_code() != "000000" else "111111"), 400, -2)
    assert ws_error(register(anon, last_code(), userName="wsuser"), 400, -2) == "用户名已存在！"
    # Without the code of that address nobody learns that it belongs to a staff account.
    message = ws_error(register(anon, "123456", account="wang@example.com"), 400, -2)
    assert "已被使用" not in message
    ws_data(send_email_code(anon, email="wang@example.com"))
    assert "已被使用" in ws_error(register(anon, last_code(), account="wang@example.com"), 400, -2)
    assert not User.objects.filter(username="newcounselor").exists()


@pytest.mark.django_db
def test_code_is_single_use(anon):
    ws_data(send_email_code(anon))
    code = last_code()
    ws_data(register(anon, code))
    ws_error(register(anon, code, userName="second"), 400, -2)


@pytest.mark.django_db
def test_code_expires_after_ten_minutes(anon):
    ws_data(send_email_code(anon))
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    ws_error(register(anon, last_code()), 400, -2)


@pytest.mark.django_db
def test_code_dies_after_five_wrong_tries(anon):
    ws_data(send_email_code(anon))
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        ws_error(register(anon, wrong), 400, -2)
    ws_error(register(anon, code), 400, -2)
    assert VerificationCode.objects.get().attempts == 5


@pytest.mark.django_db
def test_code_is_stored_hashed(anon):
    ws_data(send_email_code(anon))
    stored = VerificationCode.objects.get()
    assert last_code() not in stored.code_hash and len(stored.code_hash) == 64


@pytest.mark.django_db
def test_send_limits(anon):
    ws_data(send_email_code(anon))
    ws_error(send_email_code(anon), 429, -3)
    VerificationCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    ws_data(send_email_code(anon))
    for _ in range(8):
        VerificationCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
        ws_data(send_email_code(anon))
    VerificationCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert "上限" in ws_error(send_email_code(anon), 429, -3)
    ws_data(send_email_code(anon, "other@example.com"))


@pytest.mark.django_db
@pytest.mark.parametrize("body,field", [({"email": "nope"}, "email"), ({}, "email")])
def test_send_email_validates(anon, body, field):
    assert f"[{field}]" in ws_error(anon.post(f"{W}/auth/email", body, format="json"), 400, -2)


@pytest.mark.django_db
def test_send_phone_validates(anon):
    assert "[phone]" in ws_error(
        anon.post("/api/consult/auth/phone", {"phone": "123"}, format="json"), 400, -2
    )


@pytest.mark.django_db
def test_login_by_code_and_by_phone(anon, ws_user, settings, tmp_path):
    ws_data(send_email_code(anon, "wang@example.com"))
    data = ws_data(login(anon, "wang@example.com", last_code(), login_type="code"))
    assert data["userInfo"]["userName"] == "wsuser" and data["userInfo"]["name"] == "王咨询"
    ws_user.set_password(md5("pass1234"))
    ws_user.save()
    ws_data(login(anon, "13900001111", "pass1234", account_type="phone"))


@pytest.mark.django_db
def test_login_failures(anon, ws_user):
    ws_user.set_password(md5("pass1234"))
    ws_user.save()
    assert ws_error(login(anon, "wang@example.com", "wrong123"), 401, -3)
    ws_error(login(anon, "nobody@example.com", "pass1234"), 401, -3)
    ws_error(login(anon, "wang@example.com", "123456", login_type="code"), 400, -2)
    assert "[loginType]" in ws_error(login(anon, login_type="magic"), 400, -2)


@pytest.mark.django_db
def test_login_is_throttled(anon, ws_user, settings):
    settings.LOGIN_MAX_FAILURES_PER_USER = 3
    ws_user.set_password(md5("pass1234"))
    ws_user.save()
    for _ in range(3):
        ws_error(login(anon, "wang@example.com", "wrong123"), 401, -3)
    ws_error(login(anon, "wang@example.com", "pass1234"), 429, -3)


@pytest.mark.django_db
def test_reset_password(anon, ws_user):
    ws_data(send_email_code(anon, "wang@example.com"))
    body = {
        "accountType": "email",
        "account": "wang@example.com",
        "verificationCode": last_code(),
        "newPassword": "fresh1234",
    }
    ws_data(anon.post(f"{W}/auth/reset-password", body, format="json"))
    ws_data(login(anon, "wang@example.com", "fresh1234"))
    ws_error(anon.post(f"{W}/auth/reset-password", body, format="json"), 400, -2)  # code used
    body.update(newPassword="weak")
    assert "[newPassword]" in ws_error(anon.post(f"{W}/auth/reset-password", body, format="json"), 400, -2)


@pytest.mark.django_db
def test_deactivate(anon, ws, ws_user, ecnu):
    from conversations.models import Conversation

    visitor = User.objects.create(username="v-deact", type="VISITOR", institution=ecnu)
    Conversation.objects.create(status="FINISHED", user=visitor, counselor=ws_user, institution=ecnu)
    ws_data(send_email_code(anon, "wang@example.com"))
    code = last_code()
    body = {"accountType": "email", "account": "other@example.com", "verificationCode": code}
    assert "[account]" in ws_error(ws(f"{W}/auth/deactivate", body), 400, -2)
    body["account"] = "wang@example.com"
    ws_data(ws(f"{W}/auth/deactivate", body))
    ws_user.refresh_from_db()
    assert ws_user.deactivated_at and ws_user.email == "" and ws_user.phone_number == ""
    assert ws_error(ws(f"{W}/user/profile"), 401, 401)
    ws_error(login(anon, "wang@example.com", "secret123"), 401, -3)
    assert Conversation.objects.filter(counselor=ws_user).exists()


@pytest.mark.django_db
def test_deactivate_needs_a_valid_code(ws):
    body = {"accountType": "email", "account": "wang@example.com", "verificationCode": "123456"}
    ws_error(ws(f"{W}/auth/deactivate", body), 400, -2)


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
def test_code_sends_are_limited_per_address(anon, settings):
    settings.CODE_SENDS_PER_IP_PER_HOUR = 3
    for index in range(3):
        ws_data(anon.post(f"{W}/auth/email", {"email": f"a{index}@example.com"}, format="json"))
    ws_error(anon.post(f"{W}/auth/email", {"email": "a9@example.com"}, format="json"), 429, -3)

"""No personal data or credential in the log: an end-to-end scenario touching every place that handles
them (logins with passwords, WeChat login and phone decryption, IM callbacks with message text, SMS and
email codes, providers failing, transcript exports, a phone-number registration, staff with ID numbers)
runs with every log line captured at DEBUG, as the production formatter writes it, and the scanner
(tests/logscan.py) must find nothing."""

import hashlib
import re
import time

import pytest
from django.core import mail

from conversations.models import Conversation
from tests.consultant.helpers import ws_data, ws_error
from tests.fakes.silent import SilentServer
from tests.fakes.tencent_sms import FakeTencentSms
from tests.fakes.wechat import encrypt_for_wechat
from tests.helpers import error_of, md5, put_on_duty, result_of
from tests.logscan import captured_log, configured_secrets, password_forms, report, scan
from tests.messages.helpers import message, post_callback

APPID = "wx4f4bc4dec97d474b"
SESSION_KEY = "tiihtNczf5v6AKRyjwEUhQ=="
OPENID = "oGZUI0egBJY1zhBYw2KhdUfwVJJE"
VISITOR_PHONE = "18501799792"
STAFF_PHONE = "18846837114"
STAFF_ID_NUMBER = "421124199306160784"
SMS_PHONE = "13812345678"
TEXTS = ["今天又失眠了，心里很乱", "我真的不想活了", "谢谢老师愿意听我说"]
W = "/api/consultant"


def signed(settings):
    request_time = str(int(time.time()))
    sign = hashlib.sha256(f"{settings.TIM_CALLBACK_TOKEN}{request_time}".encode()).hexdigest()
    return {"RequestTime": request_time, "Sign": sign}


def hotline_logins(anon, counselor):
    error_of(
        anon.post("/auth/login", {"username": counselor.username, "password": md5("wrong-1")}, format="json"),
        401,
        -3,
    )
    return result_of(
        anon.post(
            "/auth/login", {"username": counselor.username, "password": md5("secret123")}, format="json"
        )
    )


def staff_with_personal_data(as_user, inst_admin):
    body = {
        "username": "staff_with_id",
        "password": md5("pw-123456"),
        "name": "蒋先杰",
        "gender": "男",
        "phoneNumber": STAFF_PHONE,
        "idNumber": STAFF_ID_NUMBER,
        "role": "ROLE_COUNSELOR",
    }
    result_of(as_user(inst_admin).put("/user/ms", body, format="json"))
    error_of(
        as_user(inst_admin).put("/user/ms", {**body, "idNumber": "42112419930616078"}, format="json"), 400, -2
    )


def wechat_visitor(anon, wechat):
    wechat.sessions["code-1"] = {"openid": OPENID, "session_key": SESSION_KEY}
    error_of(anon.post(f"/auth/wx/{APPID}/login?code=unknown-code"), 400, -2)
    pair = result_of(anon.post(f"/auth/wx/{APPID}/login?code=code-1"))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    payload = {
        "phoneNumber": VISITOR_PHONE,
        "purePhoneNumber": VISITOR_PHONE,
        "countryCode": "86",
        "watermark": {"timestamp": 1700000000, "appid": APPID},
    }
    encrypted, iv = encrypt_for_wechat(SESSION_KEY, payload)
    assert (
        result_of(anon.post(f"/wx/user/{APPID}/phone", {"encryptedData": encrypted, "iv": iv}, format="json"))
        == VISITOR_PHONE
    )
    error_of(
        anon.post(f"/wx/user/{APPID}/phone", {"encryptedData": encrypted, "iv": "AAAA"}, format="json"),
        400,
        -2,
    )
    return pair


def im_traffic(anon, as_user, tim, settings, visitor, counselor, ecnu):
    settings.TIM_CALLBACK_TOKEN = "scanner-callback-token"
    conversation = Conversation.objects.create(
        status="IN_PROGRESS", user=visitor, counselor=counselor, institution=ecnu
    )
    for n, text in enumerate(TEXTS):
        body = message(
            f"scan-{n}",
            conversation.id,
            sender=visitor.username,
            receiver=counselor.username,
            seq=n,
            body=[{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}],
        )
        assert post_callback(anon, body, **signed(settings)).status_code == 200
    post_callback(anon, '{"MsgKey": "broken", "Text": "' + TEXTS[0], **signed(settings))  # not JSON: FAIL
    usersig = result_of(as_user(counselor).post("/im/sign"))
    tim.fail_next = 1
    tim.http_error_next = 1
    return conversation, usersig


def codes(anon, settings):
    ws_data(anon.post(f"{W}/auth/email", {"email": "scanner@example.edu.cn"}, format="json"))
    code = re.search(r"验证码是(\d{6})", mail.outbox[-1].body).group(1)
    body = {
        "userName": "scanner_counselor",
        "account": "scanner@example.edu.cn",
        "accountType": "email",
        "password": "plain-Passw0rd",
        "verificationCode": code,
    }
    ws_data(anon.post(f"{W}/auth/register", body, format="json"))
    login = {"loginType": "password", "accountType": "email", "account": "scanner@example.edu.cn"}
    ws_error(anon.post(f"{W}/auth/login", {**login, "credential": "wrong-Passw0rd"}, format="json"), 401, -3)
    ws_data(anon.post(f"{W}/auth/login", {**login, "credential": "plain-Passw0rd"}, format="json"))
    sms = FakeTencentSms("AKIDscan", "scanner-sms-secret").start()
    silent = SilentServer().start()
    try:
        settings.SMS_BACKEND = "tencent"
        settings.TENCENT_SMS_ENDPOINT = f"{sms.base_url}/"
        settings.TENCENT_SMS_SECRET_ID = "AKIDscan"
        settings.TENCENT_SMS_SECRET_KEY = "scanner-sms-secret"
        settings.TENCENT_SMS_SDK_APP_ID = "1400000001"
        settings.TENCENT_SMS_SIGN_NAME = "心院热线"
        settings.TENCENT_SMS_TEMPLATE_ID = "123456"
        ws_data(anon.post(f"{W}/auth/phone", {"phone": SMS_PHONE}, format="json"))
        sms.fail_with = "LimitExceeded.PhoneNumberDailyLimit"
        ws_error(anon.post(f"{W}/auth/phone", {"phone": "13812345679"}, format="json"), 502, -1)
        settings.TENCENT_SMS_ENDPOINT = silent.base_url
        settings.SMS_TIMEOUT_SECONDS = 0.3
        # A provider that does not answer: the code is handed to the worker (its log lines scanned too).
        ws_data(anon.post(f"{W}/auth/phone", {"phone": "13812345670"}, format="json"))
    finally:
        sms.stop()
        silent.stop()


@pytest.mark.django_db
def test_an_end_to_end_scenario_logs_no_personal_data_nor_credential(
    anon, as_user, settings, wechat, tim, ecnu, inst_admin, counselor, django_capture_on_commit_callbacks
):
    settings.TIM_ADMIN_IDENTIFIER = "administrator"
    put_on_duty(counselor)
    with captured_log() as lines, django_capture_on_commit_callbacks(execute=True):
        tokens = hotline_logins(anon, counselor)
        staff_with_personal_data(as_user, inst_admin)
        visitor_pair = wechat_visitor(as_user(None), wechat)
        from users.models import User

        visitor = User.objects.get(username=OPENID)
        conversation, usersig = im_traffic(anon, as_user, tim, settings, visitor, counselor, ecnu)
        result_of(as_user(inst_admin).post(f"/user/ban/{counselor.id}"))  # IM kick fails: ErrorCode
        export = as_user(inst_admin).get(f"/conversation/export/{conversation.id}")
        assert export.status_code == 200
        b"".join(export.streaming_content)
        codes(anon, settings)
    assert lines, "the scenario logged nothing: the capture is broken"
    literals = [
        *configured_secrets(),
        "app-secret",
        "scanner-sms-secret",
        "scanner-callback-token",
        SESSION_KEY,
        *password_forms("secret123", "wrong-1", "pw-123456", "plain-Passw0rd", "wrong-Passw0rd"),
        *TEXTS,
        usersig,
        tokens["access"],
        tokens["refresh"],
        visitor_pair["access"],
        *tim.usersigs,
    ]
    hits = scan(lines, literals)
    assert not hits, report(hits)


def test_the_scanner_finds_each_kind_of_leak():
    lines = [
        "WARNING x [-] sms to 13812345678 failed",
        "INFO x [-] id 421124199306160784",
        "INFO x [-] Authorization: Bearer abc.def.ghi-123",
        "INFO x [-] token eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiMSJ9.c2lnbmF0dXJlLXZhbHVl",
        "INFO x [-] sig eJwtjFELgjAUhf-L3mdofhDhWUvfGWdHFUV8NrPtl1s-GFoN6ka0nWtjdA5sneEl4WftUxrr",
        "INFO x [-] text 我真的不想活了",
        "INFO x [-] nothing here: conversation 0123456789abcdef0123456789abcdef at 1700000000000",
    ]
    hits = scan(lines, ["我真的不想活了"])
    assert [what for what, _ in hits] == [
        "mainland mobile number",
        "18-digit ID number",
        "bearer token",
        "JWT",
        "UserSig",
        "literal 我真的不…",
    ]

"""A provider that never answers cannot hold a worker: every outbound call (WeChat, Tencent IM, Tencent
Cloud SMS, SMTP) has a timeout (set small here), after which the API answers its envelope error, or, for
the IM account import that /im/sign only attempts, carries on and records the failure; a verification code
the provider did not take in time is handed to the worker (consultant/tasks.py)."""

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from consultant.models import VerificationCode
from messages.models import ImAccount
from tests.conftest import TIM_KEY
from tests.consultant.helpers import ws_data
from tests.fakes.silent import SilentServer
from tests.helpers import error_of, result_of
from users.models import User

APPID = "wx4f4bc4dec97d474b"


@pytest.fixture
def silent():
    server = SilentServer().start()
    yield server
    server.stop()


@pytest.fixture
def hanging_wechat(settings, ecnu, silent):
    settings.WECHAT_API_BASE = silent.base_url
    settings.WECHAT_APPS = f"{APPID}:app-secret:ecnu"
    settings.WECHAT_TIMEOUT_SECONDS = 0.3
    return silent


@pytest.mark.django_db
def test_wechat_login_against_a_hanging_wechat_answers_502(anon, hanging_wechat):
    assert error_of(anon.post(f"/auth/wx/{APPID}/login?code=the-code"), 502, -1)
    assert hanging_wechat.held  # the call did reach the provider
    assert not User.objects.filter(type="VISITOR").exists()


@pytest.mark.django_db
def test_wechat_phone_by_code_against_a_hanging_wechat_answers_502(as_user, visitor, hanging_wechat):
    response = as_user(visitor).post(f"/wx/user/{APPID}/phone", {"code": "phone-code"}, format="json")
    error_of(response, 502, -1)
    visitor.refresh_from_db()
    assert not visitor.phone_number


@pytest.mark.django_db
def test_sms_code_against_a_hanging_sms_provider_is_handed_to_the_worker(anon, settings, silent):
    settings.SMS_BACKEND = "tencent"
    settings.TENCENT_SMS_ENDPOINT = silent.base_url
    settings.TENCENT_SMS_SECRET_ID = "AKIDtest"
    settings.TENCENT_SMS_SECRET_KEY = "secret-key"
    settings.TENCENT_SMS_SDK_APP_ID = "1400000001"
    settings.TENCENT_SMS_SIGN_NAME = "心院热线"
    settings.TENCENT_SMS_TEMPLATE_ID = "123456"
    settings.SMS_TIMEOUT_SECONDS = 0.3
    ws_data(anon.post("/api/consultant/auth/phone", {"phone": "13812345678"}, format="json"))
    assert silent.held
    assert VerificationCode.objects.count() == 1
    assert ProcrastinateJob.objects.filter(task_name="consultant.deliver_code", status="todo").count() == 1


@pytest.mark.django_db
def test_email_code_against_a_hanging_smtp_server_is_handed_to_the_worker(anon, settings, silent):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = silent.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 0.3
    body = {"email": "someone@example.edu.cn"}
    ws_data(anon.post("/api/consultant/auth/email", body, format="json"))
    assert silent.held
    assert VerificationCode.objects.count() == 1
    assert ProcrastinateJob.objects.filter(task_name="consultant.deliver_code", status="todo").count() == 1


@pytest.mark.django_db
def test_im_sign_against_a_hanging_im_service_still_answers_and_records_the_failure(
    as_user, counselor, settings, silent
):
    settings.TIM_SDKAPPID = "1400000000"
    settings.TIM_SECRET_KEY = TIM_KEY
    settings.TIM_API_BASE = silent.base_url
    settings.TIM_TIMEOUT_SECONDS = 0.3
    assert result_of(as_user(counselor).post("/im/sign"))  # the UserSig is minted locally
    account = ImAccount.objects.get(user=counselor)
    assert account.imported_at is None and account.last_error == "ReadTimeout"  # retried at next sign-in

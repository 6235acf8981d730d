"""SMS verification codes through Tencent Cloud SMS, played by a local server that checks signatures."""

import pytest

from consultant.models import VerificationCode
from tests.consultant.helpers import ws_data, ws_error
from tests.fakes.tencent_sms import FakeTencentSms


@pytest.fixture
def tencent_sms(settings):
    fake = FakeTencentSms("AKIDtest", "secret-key").start()
    settings.SMS_BACKEND = "tencent"
    settings.TENCENT_SMS_ENDPOINT = fake.endpoint
    settings.TENCENT_SMS_SECRET_ID = "AKIDtest"
    settings.TENCENT_SMS_SECRET_KEY = "secret-key"
    settings.TENCENT_SMS_SDK_APP_ID = "1400000001"
    settings.TENCENT_SMS_SIGN_NAME = "心院热线"
    settings.TENCENT_SMS_TEMPLATE_ID = "123456"
    yield fake
    fake.stop()


@pytest.mark.django_db
def test_code_is_sent_through_tencent_sms(anon, tencent_sms):
    ws_data(anon.post("/api/consult/auth/phone", {"phone": "13812345678"}, format="json"))
    (sent,) = tencent_sms.sent
    assert sent["PhoneNumberSet"] == ["+8613812345678"] and sent["SmsSdkAppId"] == "1400000001"
    assert sent["TemplateId"] == "123456" and sent["SignName"] == "心院热线"
    assert len(sent["TemplateParamSet"][0]) == 6 and sent["TemplateParamSet"][1] == "10"


@pytest.mark.django_db
def test_provider_refusal_is_a_clear_error(anon, tencent_sms):
    tencent_sms.fail_with = "LimitExceeded.PhoneNumberDailyLimit"
    message = ws_error(anon.post("/api/consult/auth/phone", {"phone": "13812345678"}, format="json"), 502, -1)
    assert "LimitExceeded" in message


@pytest.mark.django_db
def test_wrong_credentials_are_a_clear_error(anon, tencent_sms, settings):
    settings.TENCENT_SMS_SECRET_KEY = "not-the-key"
    assert "SignatureFailure" in ws_error(
        anon.post("/api/consult/auth/phone", {"phone": "13812345678"}, format="json"), 502, -1
    )


@pytest.mark.django_db
def test_unreachable_provider_is_a_clear_error(anon, tencent_sms, settings):
    settings.TENCENT_SMS_ENDPOINT = "http://127.0.0.1:9"
    ws_error(anon.post("/api/consult/auth/phone", {"phone": "13812345678"}, format="json"), 502, -1)
    assert VerificationCode.objects.count() == 0  # nothing was sent, so a retry is not blocked

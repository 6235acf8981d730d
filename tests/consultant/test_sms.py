"""SMS verification codes through Tencent Cloud SMS, played by a local server that checks signatures."""

import json

import pytest
from django.utils import timezone

from consultant.codes import code_verify
from consultant.models import VerificationCode
from consultant.tasks import CODE_DELIVERY_RETRIES
from tests.consultant.helpers import ws_data, ws_error
from tests.fakes.tencent_sms import FakeTencentSms

PHONE = "13812345678"
DELIVER = "consultant.deliver_code"


def assert_code_is_live(code):
    code_verify(channel="phone", account=PHONE, code=code)  # raises on a wrong or spent code


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


def send_while_unreachable(anon, tencent_sms, settings):
    endpoint = settings.TENCENT_SMS_ENDPOINT
    settings.TENCENT_SMS_ENDPOINT = "http://127.0.0.1:9"
    ws_data(anon.post("/api/consult/auth/phone", {"phone": PHONE}, format="json"))
    settings.TENCENT_SMS_ENDPOINT = endpoint
    assert tencent_sms.sent == []


def test_an_unreachable_provider_hands_the_code_to_the_worker_which_delivers_it(
    job_queue, anon, tencent_sms, settings
):
    send_while_unreachable(anon, tencent_sms, settings)
    job = job_queue.job(DELIVER)
    assert PHONE not in json.dumps(job.args)  # the phone and the code travel encrypted
    job_queue.run()
    (sent,) = tencent_sms.sent
    code = sent["TemplateParamSet"][0]
    assert sent["PhoneNumberSet"] == ["+8613812345678"] and code not in json.dumps(job.args)
    assert job_queue.job(DELIVER).status == "succeeded"
    # The delivered code is the one the request stored: it signs in by code.
    assert_code_is_live(code)


def test_the_worker_retries_with_backoff_then_leaves_the_job_failed(job_queue, anon, tencent_sms, settings):
    settings.JOB_RETRY_BASE_SECONDS = 1
    send_while_unreachable(anon, tencent_sms, settings)
    settings.TENCENT_SMS_ENDPOINT = "http://127.0.0.1:9"  # still down
    for _ in range(CODE_DELIVERY_RETRIES + 1):
        job_queue.make_due(job_queue.job(DELIVER))
        job_queue.run()
    job = job_queue.job(DELIVER)
    assert job.status == "failed" and job.attempts == CODE_DELIVERY_RETRIES + 1
    assert tencent_sms.sent == []


def test_a_code_replaced_or_used_meanwhile_is_not_delivered(job_queue, anon, tencent_sms, settings):
    send_while_unreachable(anon, tencent_sms, settings)
    VerificationCode.objects.update(used_at=timezone.now())
    job_queue.run()
    assert job_queue.job(DELIVER).status == "succeeded" and tencent_sms.sent == []


@pytest.mark.django_db
def test_a_provider_refusal_is_answered_at_once_and_the_code_forgotten(anon, tencent_sms):
    tencent_sms.fail_with = "InvalidParameterValue.IncorrectPhoneNumber"
    ws_error(anon.post("/api/consult/auth/phone", {"phone": PHONE}, format="json"), 502, -1)
    assert VerificationCode.objects.count() == 0  # nothing was sent, so a retry is not blocked

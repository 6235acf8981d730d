"""SMS delivery of verification codes, chosen by SMS_BACKEND: `console`, `file` (one JSON line per
message in SMS_FILE_PATH) or `tencent` (Tencent Cloud SMS API 3.0, TC3-HMAC-SHA256 signed)."""

import hashlib
import hmac
import json
import logging
import sys
import time
from datetime import UTC, datetime

import requests
from django.conf import settings
from django.utils import timezone

from hotline.api.errors import ProviderError

logger = logging.getLogger(__name__)


class SmsUnavailable(ProviderError):
    """The provider could not be reached or did not answer: worth retrying (`codes.code_send`)."""


def send_code(phone, code, text):
    backend = settings.SMS_BACKEND
    if backend == "console":
        sys.stdout.write(f"[SMS to {phone}] {text}\n")
    elif backend == "file":
        record = {"to": phone, "code": code, "text": text, "time": timezone.now().isoformat()}
        with open(settings.SMS_FILE_PATH, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif backend == "tencent":
        _send_tencent(phone, code)
    else:
        raise ProviderError(f"未知的短信后端 SMS_BACKEND={backend}")


def _tc3_headers(payload, action, timestamp):
    service = "sms"
    host = settings.TENCENT_SMS_ENDPOINT.split("://", 1)[-1].split("/", 1)[0]
    date = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:application/json; charset=utf-8\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload.encode()).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"

    def sign(key, message):
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    secret_date = sign(("TC3" + settings.TENCENT_SMS_SECRET_KEY).encode(), date)
    signature = hmac.new(
        sign(sign(secret_date, service), "tc3_request"), to_sign.encode(), hashlib.sha256
    ).hexdigest()
    return {
        "Authorization": f"TC3-HMAC-SHA256 Credential={settings.TENCENT_SMS_SECRET_ID}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}",
        "Content-Type": "application/json; charset=utf-8",
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": "2021-01-11",
        "X-TC-Region": settings.TENCENT_SMS_REGION,
    }


def _send_tencent(phone, code):
    payload = json.dumps(
        {
            "PhoneNumberSet": [f"+86{phone}"],
            "SmsSdkAppId": settings.TENCENT_SMS_SDK_APP_ID,
            "SignName": settings.TENCENT_SMS_SIGN_NAME,
            "TemplateId": settings.TENCENT_SMS_TEMPLATE_ID,
            "TemplateParamSet": [code, "10"],
        },
        separators=(",", ":"),
    )
    headers = _tc3_headers(payload, "SendSms", int(time.time()))
    try:
        response = requests.post(
            settings.TENCENT_SMS_ENDPOINT,
            data=payload.encode(),
            headers=headers,
            timeout=settings.SMS_TIMEOUT_SECONDS,
        )
        result = response.json().get("Response", {})
    except (requests.RequestException, ValueError) as exc:
        # Described by type only, as for WeChat: an exception text may carry the request URL.
        logger.warning("Tencent SMS unreachable: %s", type(exc).__name__)
        raise SmsUnavailable("短信服务暂时不可用，请稍后再试") from None
    if "Error" in result:
        error = result["Error"]
        raise ProviderError(f"短信发送失败：{error.get('Code')} {error.get('Message')}")
    statuses = result.get("SendStatusSet") or [{}]
    if statuses[0].get("Code") != "Ok":
        raise ProviderError(f"短信发送失败：{statuses[0].get('Code')} {statuses[0].get('Message')}")

"""A local server playing Tencent Cloud SMS (API 3.0, SendSms): it verifies the TC3-HMAC-SHA256
signature the way Tencent documents it and answers in Tencent's JSON."""

import hashlib
import hmac
import json
from datetime import UTC, datetime

from .base import FakeServer, JsonHandler


def tc3_signature(secret_key, host, payload, timestamp, service="sms"):
    date = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    canonical_request = (
        "POST\n/\n\n"
        f"content-type:application/json; charset=utf-8\nhost:{host}\n\n"
        "content-type;host\n" + hashlib.sha256(payload).hexdigest()
    )
    string_to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n"
        + hashlib.sha256(canonical_request.encode()).hexdigest()
    )
    key = hmac.new(("TC3" + secret_key).encode(), date.encode(), hashlib.sha256).digest()
    key = hmac.new(key, service.encode(), hashlib.sha256).digest()
    key = hmac.new(key, b"tc3_request", hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


class SmsHandler(JsonHandler):
    def _answer(self, response):
        self.send_json({"Response": {**response, "RequestId": "fake-request"}})

    def do_POST(self):
        fake = self.fake
        payload = self.read_body()
        timestamp = int(self.headers.get("X-TC-Timestamp", "0"))
        expected = tc3_signature(fake.secret_key, self.headers.get("Host", ""), payload, timestamp)
        authorization = self.headers.get("Authorization", "")
        if (
            f"Credential={fake.secret_id}/" not in authorization
            or f"Signature={expected}" not in authorization
        ):
            return self._answer(
                {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"}}
            )
        if self.headers.get("X-TC-Action") != "SendSms" or self.headers.get("X-TC-Version") != "2021-01-11":
            return self._answer({"Error": {"Code": "InvalidAction", "Message": "unknown action"}})
        if fake.fail_with:
            return self._answer({"SendStatusSet": [{"Code": fake.fail_with, "Message": "limit"}]})
        fake.sent.append(json.loads(payload))
        return self._answer({"SendStatusSet": [{"Code": "Ok", "Message": "send success"}]})


class FakeTencentSms(FakeServer):
    handler_class = SmsHandler

    def __init__(self, secret_id, secret_key):
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.sent = []
        self.fail_with = None
        super().__init__()

    @property
    def endpoint(self):
        return self.base_url

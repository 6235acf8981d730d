"""A local server playing Tencent Cloud SMS (API 3.0, SendSms): it verifies the TC3-HMAC-SHA256
signature the way Tencent documents it and answers in Tencent's JSON."""

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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


class FakeTencentSms:
    def __init__(self, secret_id, secret_key):
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.sent = []
        self.fail_with = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, response):
                body = json.dumps({"Response": {**response, "RequestId": "fake-request"}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                payload = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                timestamp = int(self.headers.get("X-TC-Timestamp", "0"))
                expected = tc3_signature(fake.secret_key, self.headers.get("Host", ""), payload, timestamp)
                authorization = self.headers.get("Authorization", "")
                if (
                    f"Credential={fake.secret_id}/" not in authorization
                    or f"Signature={expected}" not in authorization
                ):
                    return self._send(
                        {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"}}
                    )
                if (
                    self.headers.get("X-TC-Action") != "SendSms"
                    or self.headers.get("X-TC-Version") != "2021-01-11"
                ):
                    return self._send({"Error": {"Code": "InvalidAction", "Message": "unknown action"}})
                if fake.fail_with:
                    return self._send({"SendStatusSet": [{"Code": fake.fail_with, "Message": "limit"}]})
                fake.sent.append(json.loads(payload))
                return self._send({"SendStatusSet": [{"Code": "Ok", "Message": "send success"}]})

        return Handler

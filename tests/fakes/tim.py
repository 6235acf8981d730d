"""A local HTTP server speaking Tencent Cloud IM's REST API (account_import), checking the admin UserSig."""

import json
from urllib.parse import parse_qs, urlparse

from messages.usersig import verify_usersig

from .base import FakeServer, JsonHandler


class TimHandler(JsonHandler):
    def do_POST(self):
        fake = self.fake
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        body = json.loads(self.read_body() or b"{}")
        if url.path != "/v4/im_open_login_svc/account_import":
            return self.send_json({"ActionStatus": "FAIL", "ErrorCode": 60003, "ErrorInfo": "no such api"})
        valid, document = verify_usersig(query.get("usersig", ""), fake.secret_key)
        if (
            not valid
            or query.get("sdkappid") != fake.sdkappid
            or document["TLS.identifier"] != query.get("identifier")
        ):
            return self.send_json(
                {"ActionStatus": "FAIL", "ErrorCode": 70001, "ErrorInfo": "usersig invalid"}
            )
        if fake.fail_next:
            fake.fail_next -= 1
            return self.send_json({"ActionStatus": "FAIL", "ErrorCode": 70169, "ErrorInfo": "server busy"})
        fake.imported.append(body)
        return self.send_json({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""})


class FakeTim(FakeServer):
    handler_class = TimHandler

    def __init__(self, secret_key, sdkappid):
        self.secret_key = secret_key
        self.sdkappid = str(sdkappid)
        self.imported = []
        self.fail_next = 0
        super().__init__()

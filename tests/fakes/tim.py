"""A local HTTP server speaking Tencent Cloud IM's REST API (account_import, kick, openim/sendmsg), checking the admin
UserSig. Faults on demand: `fail_next` answers ErrorCode 70169, `http_error_next` answers HTTP 500 with
a non-JSON page, `hang_seconds` holds every answer that long (past the client's timeout)."""

import json
import time
from urllib.parse import parse_qs, urlparse

from messages.usersig import verify_usersig

from .base import FakeServer, JsonHandler

APIS = {
    "/v4/im_open_login_svc/account_import": "imported",
    "/v4/im_open_login_svc/kick": "kicked",
    "/v4/openim/sendmsg": "sent",
}


class TimHandler(JsonHandler):
    def do_POST(self):
        fake = self.fake
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        body = json.loads(self.read_body() or b"{}")
        fake.usersigs.append(query.get("usersig", ""))
        if fake.hang_seconds:
            time.sleep(fake.hang_seconds)
        if url.path not in APIS:
            return self.send_json({"ActionStatus": "FAIL", "ErrorCode": 60003, "ErrorInfo": "no such api"})
        valid, document = verify_usersig(query.get("usersig", ""), fake.secret_key)
        if (
            not valid
            or query.get("sdkappid") != fake.sdkappid
            or document["TLS.identifier"] != query.get("identifier")
        ):
            fake.refused.append((url.path, body))
            return self.send_json(
                {"ActionStatus": "FAIL", "ErrorCode": 70001, "ErrorInfo": "usersig invalid"}
            )
        if fake.http_error_next:
            fake.http_error_next -= 1
            payload = f"<html>500 {query.get('usersig')}</html>".encode()
            self.send_response(500)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return None
        if fake.fail_next:
            fake.fail_next -= 1
            # A provider's error text may echo the request; the client must not keep it.
            info = f"server busy (usersig={query.get('usersig')})"
            return self.send_json({"ActionStatus": "FAIL", "ErrorCode": 70169, "ErrorInfo": info})
        getattr(fake, APIS[url.path]).append(body)
        fake.admins.append(document["TLS.identifier"])
        return self.send_json({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""})


class FakeTim(FakeServer):
    handler_class = TimHandler

    def __init__(self, secret_key, sdkappid):
        self.secret_key = secret_key
        self.sdkappid = str(sdkappid)
        self.imported = []
        self.kicked = []
        self.sent = []  # bodies of v4/openim/sendmsg (crisis alerts)
        self.refused = []
        self.admins = []  # the identifier of the admin UserSig of every accepted call
        self.usersigs = []  # every admin UserSig received, to prove none leaks into logs or the database
        self.fail_next = 0
        self.http_error_next = 0
        self.hang_seconds = 0
        super().__init__()

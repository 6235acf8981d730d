"""A local HTTP server speaking Tencent Cloud IM's REST API (account_import), checking the admin UserSig."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from messages.usersig import verify_usersig


class FakeTim:
    def __init__(self, secret_key, sdkappid):
        self.secret_key = secret_key
        self.sdkappid = str(sdkappid)
        self.imported = []
        self.fail_next = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self):
        host, port = self.server.server_address
        return f"http://{host}:{port}"

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

            def _send(self, payload):
                body = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                url = urlparse(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if url.path != "/v4/im_open_login_svc/account_import":
                    return self._send(
                        {"ActionStatus": "FAIL", "ErrorCode": 60003, "ErrorInfo": "no such api"}
                    )
                valid, document = verify_usersig(query.get("usersig", ""), fake.secret_key)
                if (
                    not valid
                    or query.get("sdkappid") != fake.sdkappid
                    or document["TLS.identifier"] != query.get("identifier")
                ):
                    return self._send(
                        {"ActionStatus": "FAIL", "ErrorCode": 70001, "ErrorInfo": "usersig invalid"}
                    )
                if fake.fail_next:
                    fake.fail_next -= 1
                    return self._send(
                        {"ActionStatus": "FAIL", "ErrorCode": 70169, "ErrorInfo": "server busy"}
                    )
                fake.imported.append(body)
                return self._send({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""})

        return Handler

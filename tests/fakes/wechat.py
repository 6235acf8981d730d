"""A local HTTP server speaking the WeChat mini-program server API (real sockets, real JSON)."""

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def encrypt_for_wechat(session_key_b64, payload, iv_bytes=None):
    """What WeChat does on the client side: AES-128-CBC, PKCS#7, base64 of key/iv/ciphertext."""
    key = base64.b64decode(session_key_b64)
    iv_bytes = iv_bytes or os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(json.dumps(payload).encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv_bytes)).encryptor()
    ciphertext = encryptor.update(data) + encryptor.finalize()
    return base64.b64encode(ciphertext).decode(), base64.b64encode(iv_bytes).decode()


class FakeWechat:
    def __init__(self):
        self.sessions = {}  # js_code -> {"openid", "session_key"} or {"errcode", "errmsg"}
        self.phone_codes = {}  # code -> phone number
        self.secrets = {}  # appid -> secret
        self.tokens = {}  # appid -> the one valid access token (a new one replaces the old, as WeChat does)
        self.token_requests = 0
        self.requests = []
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

            def _send(self, payload, status=200):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlparse(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                fake.requests.append(("GET", url.path, query))
                if url.path == "/sns/jscode2session":
                    if fake.secrets.get(query.get("appid")) != query.get("secret"):
                        return self._send({"errcode": 40125, "errmsg": "invalid appsecret"})
                    if query.get("grant_type") != "authorization_code":
                        return self._send({"errcode": 40002, "errmsg": "invalid grant_type"})
                    session = fake.sessions.get(query.get("js_code"))
                    if session is None:
                        return self._send(
                            {"errcode": 40029, "errmsg": "invalid code, hints: [ req_id: fake ]"}
                        )
                    return self._send(session)
                if url.path == "/cgi-bin/token":
                    if fake.secrets.get(query.get("appid")) != query.get("secret"):
                        return self._send({"errcode": 40125, "errmsg": "invalid appsecret"})
                    fake.token_requests += 1
                    token = f"token-{fake.token_requests}"
                    fake.tokens[query["appid"]] = token
                    return self._send({"access_token": token, "expires_in": 7200})
                return self._send({"errcode": 404, "errmsg": "not found"}, status=404)

            def do_POST(self):
                url = urlparse(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(("POST", url.path, query, body))
                if url.path == "/wxa/business/getuserphonenumber":
                    appid = next((a for a, t in fake.tokens.items() if t == query.get("access_token")), None)
                    if appid is None:
                        return self._send(
                            {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
                        )
                    number = fake.phone_codes.pop(body.get("code"), None)
                    if number is None:
                        return self._send({"errcode": 40029, "errmsg": "invalid code"})
                    return self._send(
                        {
                            "errcode": 0,
                            "errmsg": "ok",
                            "phone_info": {
                                "phoneNumber": number,
                                "purePhoneNumber": number,
                                "countryCode": "86",
                                "watermark": {"timestamp": 1637744274, "appid": appid},
                            },
                        }
                    )
                return self._send({"errcode": 404, "errmsg": "not found"}, status=404)

        return Handler

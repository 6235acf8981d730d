"""A local HTTP server speaking the WeChat mini-program server API (real sockets, real JSON)."""

import base64
import json
import os
from urllib.parse import parse_qs, urlparse

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .base import FakeServer, JsonHandler


def encrypt_for_wechat(session_key_b64, payload, iv_bytes=None):
    """What WeChat does on the client side: AES-128-CBC, PKCS#7, base64 of key/iv/ciphertext."""
    key = base64.b64decode(session_key_b64)
    iv_bytes = iv_bytes or os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(json.dumps(payload).encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv_bytes)).encryptor()
    ciphertext = encryptor.update(data) + encryptor.finalize()
    return base64.b64encode(ciphertext).decode(), base64.b64encode(iv_bytes).decode()


class WechatHandler(JsonHandler):
    def do_GET(self):
        fake = self.fake
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        fake.requests.append(("GET", url.path, query))
        if url.path == "/sns/jscode2session":
            if fake.secrets.get(query.get("appid")) != query.get("secret"):
                return self.send_json({"errcode": 40125, "errmsg": "invalid appsecret"})
            if query.get("grant_type") != "authorization_code":
                return self.send_json({"errcode": 40002, "errmsg": "invalid grant_type"})
            session = fake.sessions.get(query.get("js_code"))
            if session is None:
                return self.send_json({"errcode": 40029, "errmsg": "invalid code, hints: [ req_id: fake ]"})
            return self.send_json(session)
        if url.path == "/cgi-bin/token":
            if fake.secrets.get(query.get("appid")) != query.get("secret"):
                return self.send_json({"errcode": 40125, "errmsg": "invalid appsecret"})
            fake.token_requests += 1
            token = f"token-{fake.token_requests}"
            fake.tokens[query["appid"]] = token
            return self.send_json({"access_token": token, "expires_in": 7200})
        return self.send_json({"errcode": 404, "errmsg": "not found"}, status=404)

    def do_POST(self):
        fake = self.fake
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        body = json.loads(self.read_body() or b"{}")
        fake.requests.append(("POST", url.path, query, body))
        if url.path == "/wxa/business/getuserphonenumber":
            appid = next((a for a, t in fake.tokens.items() if t == query.get("access_token")), None)
            if appid is None:
                return self.send_json(
                    {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
                )
            number = fake.phone_codes.pop(body.get("code"), None)
            if number is None:
                return self.send_json({"errcode": 40029, "errmsg": "invalid code"})
            return self.send_json(
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
        return self.send_json({"errcode": 404, "errmsg": "not found"}, status=404)


class FakeWechat(FakeServer):
    handler_class = WechatHandler

    def __init__(self):
        self.sessions = {}  # js_code -> {"openid", "session_key"} or {"errcode", "errmsg"}
        self.phone_codes = {}  # code -> phone number
        self.secrets = {}  # appid -> secret
        self.tokens = {}  # appid -> the one valid access token (a new one replaces the old, as WeChat does)
        self.token_requests = 0
        self.requests = []
        super().__init__()

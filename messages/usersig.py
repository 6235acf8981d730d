"""Tencent Cloud IM UserSig, TLSSigAPIv2 (see shared/spec/vectors.md)."""

import base64
import hashlib
import hmac
import json
import time
import zlib


def _signature(identifier, sdkappid, now, expire, secret_key):
    content = f"TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{now}\nTLS.expire:{expire}\n"
    digest = hmac.new(secret_key.encode("utf-8"), content.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def gen_usersig(identifier, sdkappid, secret_key, expire, now=None):
    now = int(time.time()) if now is None else int(now)
    document = {
        "TLS.ver": "2.0",
        "TLS.identifier": str(identifier),
        "TLS.sdkappid": int(sdkappid),
        "TLS.expire": int(expire),
        "TLS.time": now,
        "TLS.sig": _signature(identifier, int(sdkappid), now, int(expire), secret_key),
    }
    compressed = zlib.compress(json.dumps(document, separators=(",", ":")).encode("utf-8"))
    encoded = base64.b64encode(compressed).decode("ascii")
    return encoded.replace("+", "*").replace("/", "-").replace("=", "_")


def decode_usersig(usersig):
    """The JSON document inside a UserSig (used to check signatures)."""
    raw = usersig.replace("*", "+").replace("-", "/").replace("_", "=")
    return json.loads(zlib.decompress(base64.b64decode(raw)))


def verify_usersig(usersig, secret_key):
    document = decode_usersig(usersig)
    expected = _signature(
        document["TLS.identifier"],
        document["TLS.sdkappid"],
        document["TLS.time"],
        document["TLS.expire"],
        secret_key,
    )
    return hmac.compare_digest(expected, document["TLS.sig"]), document

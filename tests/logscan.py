"""The log scanner: what the service writes to its log must hold no personal data or credential. It looks
for mainland mobile numbers, 18-digit ID numbers, JWTs and bearer tokens, UserSigs, and the literal
secrets, passwords, password MD5s and message texts a test hands it."""

import hashlib
import logging
import re
from contextlib import contextmanager

from django.conf import settings

PATTERNS = {
    # Not inside a longer run of hex digits: request ids and user ids are 32 hex characters.
    "mainland mobile number": re.compile(r"(?<![0-9a-f])1[3-9]\d{9}(?![0-9a-f])"),
    "18-digit ID number": re.compile(
        r"(?<![0-9a-f])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9a-f])"
    ),
    "JWT": re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}"),
    "bearer token": re.compile(r"Bearer\s+[\w.~+/=-]{8,}", re.IGNORECASE),
    # TLSSigAPIv2: base64 of zlib-deflated JSON, which always starts "eJ" (0x78 0x9c), '+/=' replaced.
    "UserSig": re.compile(r"eJ[\w*\-]{60,}"),
}


def configured_secrets():
    """The secrets of the running settings that must never reach a log line."""
    values = [
        settings.SECRET_KEY,
        settings.TIM_CALLBACK_TOKEN,
        settings.TIM_SECRET_KEY,
        getattr(settings, "TENCENT_SMS_SECRET_KEY", ""),
        getattr(settings, "EMAIL_HOST_PASSWORD", ""),
    ]
    for entry in (settings.WECHAT_APPS or "").split(","):
        parts = entry.split(":")
        if len(parts) >= 2:
            values.append(parts[1])
    return [value for value in values if value and len(value) >= 6]


def password_forms(*passwords):
    """A password as the workspace sends it and as the hotline sends it (its md5)."""
    forms = []
    for password in passwords:
        forms += [password, hashlib.md5(password.encode()).hexdigest()]
    return forms


def scan(lines, literals=()):
    """Every (line, what) where a line shows personal data or a credential."""
    hits = []
    for line in lines:
        for what, pattern in PATTERNS.items():
            if pattern.search(line):
                hits.append((what, line))
        for literal in literals:
            if literal and literal in line:
                hits.append((f"literal {literal[:4]}…", line))
    return hits


def report(hits):
    return "log lines leaking data:\n" + "\n".join(f"  [{what}] {line}" for what, line in hits)


class _Collector(logging.Handler):
    def __init__(self, lines):
        super().__init__(level=logging.DEBUG)
        self.lines = lines
        from hotline.api.request_id import RequestIdLogFilter

        self.addFilter(RequestIdLogFilter())
        # The production text format, exception redaction included (hotline/api/logformat.py).
        from hotline.api.logformat import TextFormatter

        self.setFormatter(TextFormatter())

    def emit(self, record):
        try:
            self.lines.extend(self.format(record).splitlines())
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is itself reported
            self.lines.append(f"UNFORMATTABLE {record.name} {record.msg!r}")


@contextmanager
def captured_log(level=logging.DEBUG):
    """Every line the service logs while the block runs, formatted as the production handler does
    (traceback included), at `level` and above from every logger."""
    lines = []
    handler = _Collector(lines)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(level)
    # Django's request logger does not propagate (LOGGING); attach to it too.
    request_logger = logging.getLogger("django.request")
    request_logger.addHandler(handler)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        request_logger.removeHandler(handler)


# Every line the whole suite logs at the production level (LOG_LEVEL's default, INFO), collected by the
# session fixture in tests/conftest.py and scanned by tests/zz_log_scan, which runs last.
SUITE_LINES = []


@contextmanager
def suite_capture():
    handler = _Collector(SUITE_LINES)
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    request_logger = logging.getLogger("django.request")
    root.addHandler(handler)
    request_logger.addHandler(handler)
    try:
        yield SUITE_LINES
    finally:
        root.removeHandler(handler)
        request_logger.removeHandler(handler)

"""Log line formats (LOG_FORMAT): one JSON object per line in production, readable text in development.

Kept free of Django imports: logging loads it early. Only the request-line fields below are copied from
a record's `extra`; nothing else a caller attaches reaches the output, so personal data passed by mistake
in `extra` is not written (the message itself is the caller's, and must carry none: docs/architecture.md);
exception text goes through `hotline.api.redact`.
"""

import json
import logging
from datetime import UTC, datetime

from .redact import redact

REQUEST_FIELDS = ("method", "route", "status", "duration_ms", "user_id")


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "request_id", "message", [request fields], ["exception"]}`."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            # An exception's text can quote what it failed on (a database error names the values).
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id] message`, for a developer's terminal."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        # logging caches a record's traceback text on the record; another handler's cached, unredacted
        # text must not be reused.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, exc_info):
        # The same redaction as the JSON lines: LOG_FORMAT=text is allowed in production too.
        return redact(super().formatException(exc_info))

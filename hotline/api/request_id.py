"""The current request's id, for log lines (kept free of Django imports: logging loads it early)."""

import contextvars
import logging

current = contextvars.ContextVar("request_id", default="-")


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current.get()
        return True

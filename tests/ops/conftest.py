"""Fixtures of the operations tests: the log lines the configured handler writes during a test."""

import io
import json
import logging

import pytest


def _console_handler():
    for handler in logging.getLogger().handlers:
        if handler.get_name() == "console":
            return handler
    raise AssertionError("settings.LOGGING has no 'console' handler on the root logger")


class CapturedLog:
    """What the project's own console handler (its formatter and filters) wrote, as text and lines."""

    def __init__(self, buffer):
        self.buffer = buffer

    @property
    def text(self):
        return self.buffer.getvalue()

    def json_lines(self):
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def request_lines(self):
        return [line for line in self.json_lines() if line["logger"] == "hotline.request"]


@pytest.fixture
def captured_log():
    handler = _console_handler()
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield CapturedLog(buffer)
    finally:
        handler.setStream(previous)


@pytest.fixture
def text_format():
    """The console handler with the development (LOG_FORMAT=text) formatter for one test."""
    from hotline.api.logformat import TextFormatter

    handler = _console_handler()
    previous = handler.formatter
    handler.setFormatter(TextFormatter())
    yield
    handler.setFormatter(previous)

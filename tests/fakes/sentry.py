"""A local Sentry: takes the SDK's envelopes (gzip or plain) and keeps the events they carry."""

import gzip
import json

from .base import FakeServer, JsonHandler


class SentryHandler(JsonHandler):
    def do_POST(self):
        body = self.read_body()
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.fake.envelopes.append(body)
        for line in body.splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and ("exception" in item or "logentry" in item):
                self.fake.events.append(item)
        self.send_json({"id": "0" * 32})


class FakeSentry(FakeServer):
    handler_class = SentryHandler

    def __init__(self):
        super().__init__()
        self.envelopes = []
        self.events = []

    @property
    def dsn(self):
        host, port = self.server.server_address
        return f"http://publickey@{host}:{port}/1"

"""Faults lose nothing (CONTRACT §7): signed IM callbacks under load against real gunicorn workers while a
worker is SIGKILLed and the database connections are cut with pg_terminate_backend. Every message
answered OK is stored; the others were answered FAIL or not at all, and the provider's retries (a new
RequestTime, so a new Sign) store them, each exactly once. `make fuzz` runs it with more messages and
more faults (FUZZ_FULL=1) and prints the figures."""

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.db import connection

from hotline.settings import BASE_DIR
from messages.models import Message
from tests.messages.helpers import OK, message

SDKAPPID = "1400000000"
TOKEN = "fault-test-callback-token"
FULL = os.environ.get("FUZZ_FULL") == "1"
MESSAGES = int(os.environ.get("FUZZ_CALLBACKS", "2000")) if FULL else 120
FAULT_ROUNDS = 4 if FULL else 1


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    params = connection.settings_dict
    return (
        f"postgres://{params['USER']}:{params['PASSWORD'] or ''}@{params['HOST']}:{params['PORT']}/"
        f"{params['NAME']}"
    )


class Gunicorn:
    """`gunicorn hotline.wsgi` with two workers on the test database, the test settings and a signed
    callback token."""

    def __init__(self, log_path):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hotline.test_settings",
            "DATABASE_URL": database_url(),
            "TIM_SDKAPPID": SDKAPPID,
            "TIM_CALLBACK_TOKEN": TOKEN,
            "TIM_SECRET_KEY": "",
            "DEBUG": "0",
        }
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "hotline.wsgi",
                "--workers=2",
                "--threads=4",
                f"--bind=127.0.0.1:{self.port}",
                "--graceful-timeout=2",
                "--timeout=30",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self):
        for _ in range(300):
            try:
                if requests.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError("gunicorn did not start")

    def workers(self):
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    found.append(int(entry.name))
        return found

    def kill_a_worker(self):
        workers = self.workers()
        assert workers, "no gunicorn worker to kill"
        os.kill(workers[0], signal.SIGKILL)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def terminate_backends(spare_pid):
    """Cut the workers' connections to the test database, as a failover or an operator would (all but
    the test's own, `spare_pid`)."""
    admin = connection.get_new_connection(connection.get_connection_params())
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
                [spare_pid],
            )
            killed = cursor.fetchone()[0]
    finally:
        admin.close()
    return killed


class Provider:
    """Tencent's side: signed deliveries, an answer per attempt, retries of what was not answered OK."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.session_local = threading.local()
        self.answers = Counter()

    def session(self):
        if not hasattr(self.session_local, "session"):
            self.session_local.session = requests.Session()
        return self.session_local.session

    def deliver(self, body, request_time):
        sign = hashlib.sha256(f"{TOKEN}{request_time}".encode()).hexdigest()
        params = {
            "SdkAppid": SDKAPPID,
            "CallbackCommand": "C2C.CallbackAfterSendMsg",
            "contenttype": "json",
            "ClientIP": "127.0.0.1",
            "OptPlatform": "RESTAPI",
            "RequestTime": str(request_time),
            "Sign": sign,
        }
        try:
            response = self.session().post(
                f"{self.base_url}/message/callback",
                params=params,
                data=json.dumps(body, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json"},
                timeout=20,
            )
        except requests.RequestException:
            self.answers["no answer"] += 1
            return False
        ok = response.status_code == 200 and response.json() == OK
        self.answers["OK" if ok else f"FAIL {response.status_code}"] += 1
        return ok


def bodies(count):
    return [
        message(
            f"fault-{n:05d}", sender="fault_visitor", receiver="fault_counselor", seq=n, at=1700000000 + n
        )
        for n in range(count)
    ]


def deliver_with_faults(provider, server, batch, fault_rounds):
    """Send the batch from 8 threads. At each of `fault_rounds` points a worker is SIGKILLed, and from
    there the database connections are cut every 50 ms while the next stretch of messages goes out, so
    transactions die in the middle."""
    acknowledged = set()
    faults = Counter()
    done = Counter()
    lock = threading.Lock()
    connection.ensure_connection()
    spare_pid = connection.connection.info.backend_pid
    stretch = max(1, len(batch) // (2 * (fault_rounds + 1)))
    marks = {len(batch) * (i + 1) // (fault_rounds + 1) for i in range(fault_rounds)}
    cutting_until = Counter()
    finished = threading.Event()

    def cutter():
        while not finished.is_set():
            with lock:
                cutting = done["sent"] < cutting_until["sent"]
            if cutting:
                faults["backends terminated"] += terminate_backends(spare_pid)
            time.sleep(0.05)

    def send(body):
        if provider.deliver(body, int(time.time())):
            with lock:
                acknowledged.add(body["MsgKey"])
        with lock:
            done["sent"] += 1
            fire = done["sent"] in marks
            if fire:
                cutting_until["sent"] = done["sent"] + stretch
        if fire:
            server.kill_a_worker()
            faults["workers killed"] += 1

    cutting_thread = threading.Thread(target=cutter, daemon=True)
    cutting_thread.start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(send, batch))
    finally:
        finished.set()
        cutting_thread.join()
    return acknowledged, faults


def retry_until_acknowledged(provider, batch, acknowledged):
    """Tencent retries an unacknowledged callback; a new attempt carries a new RequestTime and Sign."""
    pending = [body for body in batch if body["MsgKey"] not in acknowledged]
    retried = len(pending)
    for _ in range(60):
        if not pending:
            break
        time.sleep(1.1)  # the next second: a new Sign, so the attempt is not refused as a replay
        request_time = int(time.time())
        pending = [body for body in pending if not provider.deliver(body, request_time)]
    return retried, pending


@pytest.mark.django_db(transaction=True)
def test_callbacks_answered_ok_survive_worker_kills_and_database_cuts_exactly_once(tmp_path, capsys):
    server = Gunicorn(tmp_path / "gunicorn.log").wait_ready()
    try:
        provider = Provider(server.base_url)
        batch = bodies(MESSAGES)
        acknowledged, faults = deliver_with_faults(provider, server, batch, FAULT_ROUNDS)
        stored_after_faults = set(Message.objects.values_list("msg_key", flat=True))
        first_answers = dict(provider.answers)
        retried, never = retry_until_acknowledged(provider, batch, acknowledged)
    finally:
        server.stop()

    # Every acknowledgement was true when it was given: the message was already stored.
    assert acknowledged <= stored_after_faults
    assert faults["workers killed"] == FAULT_ROUNDS
    assert not never, f"{len(never)} messages were never acknowledged"
    keys = [body["MsgKey"] for body in batch]
    stored = Counter(Message.objects.filter(msg_key__in=keys).values_list("msg_key", flat=True))
    assert stored == Counter(keys)  # every message, exactly once
    texts = dict(Message.objects.filter(msg_key__in=keys).values_list("msg_key", "msg_body"))
    assert all(texts[body["MsgKey"]] == body["MsgBody"] for body in batch)
    with capsys.disabled():
        print(
            f"\ncallback faults: {len(batch)} messages, {faults['workers killed']} workers SIGKILLed, "
            f"{faults['backends terminated']} database backends terminated; first attempts {first_answers}; "
            f"{retried} retried; {len(stored)} stored, each once"
        )

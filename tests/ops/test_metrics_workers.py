"""Under gunicorn with several workers, /metrics adds up every worker's request metrics
(PROMETHEUS_MULTIPROC_DIR and gunicorn.conf.py), instead of answering one worker's at random."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-0123456789abcdef"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url():
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if user else ""
    return f"postgres://{credentials}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def health_count(base):
    response = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert response.status_code == 200, response.text
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == "hotline_http_request_duration_seconds_count" and sample.labels == {
                "route": "/health",
                "method": "GET",
            }:
                return sample.value
    return 0


@pytest.mark.django_db
def test_metrics_add_up_the_requests_of_every_gunicorn_worker(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hotline.test_settings",
        "DATABASE_URL": database_url(),
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hotline.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/health", timeout=30)
                break
            except requests.RequestException:
                assert server.poll() is None, server.stderr.read().decode()[-3000:]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        # Both workers booted, so both import the app and keep their own metric files.
        deadline = time.monotonic() + 60
        while (
            len({path.stem.rsplit("_", 1)[-1] for path in (tmp_path / "prometheus").glob("histogram_*.db")})
            < 2
        ):
            requests.get(f"{base}/health", timeout=30)
            assert time.monotonic() < deadline, "the second worker never loaded the app"
            time.sleep(0.1)

        before = health_count(base)
        for _ in range(30):
            with requests.Session() as fresh:  # a new connection each time: any worker may answer
                assert fresh.get(f"{base}/health", timeout=30).status_code == 200
        counts = {health_count(base) for _ in range(6)}  # whichever worker answers the scrape
        assert counts == {before + 30}
    finally:
        server.terminate()
        server.wait(timeout=30)

"""The deployment files agree with each other: `docker compose config` passes (when docker is installed),
every service has a health check, TLS ends at the proxy, and the proxy keeps /metrics private."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from hotline.limits import MIB, UPLOAD_BODY_LIMITS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
REQUIRED_ENV = {
    "POSTGRES_PASSWORD": "pw",
    "SECRET_KEY": "key",
    "TIM_CALLBACK_TOKEN": "callback-token",
    "FIELD_ENCRYPTION_KEYS": "k",
    "FIELD_HASH_KEY": "h",
}


def compose_command():
    """`docker compose` (the plugin), else the standalone `docker-compose`, else None."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_config_passes(tmp_path):
    command = compose_command()
    if command is None:
        pytest.skip("docker compose is not installed here: `docker compose config` not run")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **REQUIRED_ENV}
    result = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert set(config["services"]) >= {"db", "web", "proxy"}
    for name, service in config["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
    web = config["services"]["web"]["environment"]
    assert web["TRUST_X_FORWARDED_FOR"] == "1" and web["DEBUG"] == "0"
    assert "web" in web["ALLOWED_HOSTS"].split(",")


def test_docker_compose_config_refuses_to_run_without_the_secrets(tmp_path):
    command = compose_command()
    if command is None:
        pytest.skip("docker compose is not installed here: `docker compose config` not run")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    result = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr or "SECRET_KEY" in result.stderr


def test_every_service_has_a_health_check_and_only_the_proxy_is_published():
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    assert {"db", "web", "proxy"} <= set(services)
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        if name != "proxy":
            assert "ports" not in service, f"{name} is published past the proxy"
    proxy = services["proxy"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    web = services["web"]
    assert web["environment"]["TRUST_X_FORWARDED_FOR"].startswith("${TRUST_X_FORWARDED_FOR:-1}")
    assert web["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert "--access-logfile" not in web["command"]


def caddy_version():
    """(major, minor, patch) of the caddy on PATH, or None when there is none."""
    if shutil.which("caddy") is None:
        return None
    found = re.match(
        r"v?(\d+)\.(\d+)\.(\d+)", subprocess.run(["caddy", "version"], capture_output=True, text=True).stdout
    )
    return tuple(int(part) for part in found.groups()) if found else None


def test_the_proxy_buffers_whole_uploads_and_the_web_service_runs_sync_workers():
    """Sync workers serve one request each, so the proxy must read a slow client's whole body (up to the
    largest upload) and a whole answer itself: a trickled upload never holds a gunicorn worker."""
    text = CADDYFILE.read_text()
    request = re.search(r"^\s*request_buffers (\d+)MiB$", text, re.MULTILINE)
    response = re.search(r"^\s*response_buffers (\d+)MiB$", text, re.MULTILINE)
    assert request and response
    largest_upload = max(limit for _, limit in UPLOAD_BODY_LIMITS)
    assert int(request.group(1)) * MIB >= largest_upload
    web = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["web"]
    assert "--worker-class sync" in web["command"]


def test_the_proxy_ends_tls_and_answers_404_for_metrics(tmp_path):
    version = caddy_version()
    if version is None:
        pytest.skip("caddy is not installed here: deploy/Caddyfile not adapted")
    if version < (2, 6, 4):
        # Debian bookworm ships 2.6.2; the compose file runs the caddy:2 image, where `request_buffers`
        # and `response_buffers` (added in 2.6.4) exist.
        pytest.skip(f"caddy {version} here predates request_buffers (2.6.4): deploy/Caddyfile not adapted")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    env |= {"SITE_ADDRESS": "hotline.example.edu.cn", "CADDY_TLS": "internal"}
    result = subprocess.run(
        ["caddy", "adapt", "--adapter", "caddyfile", "--config", str(CADDYFILE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    [server] = config["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"]
    [site] = server["routes"]
    assert site["match"] == [{"host": ["hotline.example.edu.cn"]}]
    routes = site["handle"][0]["routes"]
    metrics = [route for route in routes if {"path": ["/metrics", "/metrics/"]} in route.get("match", [])]
    assert metrics and metrics[0]["handle"] == [{"handler": "static_response", "status_code": 404}]
    proxied = [
        handler for route in routes for handler in route["handle"] if handler["handler"] == "reverse_proxy"
    ]
    assert proxied[0]["upstreams"] == [{"dial": "web:8000"}]
    assert proxied[0]["request_buffers"] >= max(limit for _, limit in UPLOAD_BODY_LIMITS)
    assert proxied[0]["response_buffers"] > 0
    assert config["apps"]["tls"]["automation"]["policies"][0]["issuers"][0]["module"] == "internal"

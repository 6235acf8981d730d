"""The deployment files agree with each other: `docker compose config` passes (when docker is installed),
every service has a health check, TLS ends at the proxy, and the proxy keeps /metrics private."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

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


def test_the_proxy_ends_tls_and_answers_404_for_metrics(tmp_path):
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed here: deploy/Caddyfile not adapted")
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
    assert config["apps"]["tls"]["automation"]["policies"][0]["issuers"][0]["module"] == "internal"

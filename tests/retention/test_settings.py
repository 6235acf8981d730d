"""RETENTION_DAYS and AUDIT_RETENTION_DAYS are checked when the service starts."""

import os
import subprocess
import sys

import pytest


def check(**env):
    base = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={**base, "DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "name,value", [("AUDIT_RETENTION_DAYS", "182"), ("RETENTION_DAYS", "-1"), ("RETENTION_DAYS", "soon")]
)
def test_retention_settings_out_of_bounds_refuse_to_start(name, value):
    refused = check(**{name: value})
    assert refused.returncode != 0 and name in refused.stderr


def test_six_months_of_audit_and_a_retention_period_start():
    started = check(AUDIT_RETENTION_DAYS="183", RETENTION_DAYS="365")
    assert started.returncode == 0, started.stderr

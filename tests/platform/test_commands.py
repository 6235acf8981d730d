"""Management commands of CONTRACT §8."""

import pytest
from django.core.management import CommandError, call_command, get_commands

from conversations.models import Conversation
from evaluations.models import Evaluation
from messages.models import Message
from scheduling.models import Arrangement
from tests.helpers import md5, result_of
from users.models import Institution, User, UserType


@pytest.mark.django_db
def test_createadmin_creates_a_system_administrator_who_logs_in(anon, settings):
    call_command("createadmin", "--username", "boss", "--password", "plain-pw")
    boss = User.objects.get(username="boss")
    assert boss.type == UserType.ADMIN and boss.institution.code == settings.DEFAULT_INSTITUTION
    assert boss.is_staff and boss.is_superuser
    result_of(anon.post("/auth/login", {"username": "boss", "password": md5("plain-pw")}, format="json"))
    with pytest.raises(CommandError):
        call_command("createadmin", "--username", "boss", "--password", "again")


@pytest.mark.django_db
def test_createadmin_puts_the_admin_in_the_named_institution():
    call_command("createadmin", "--username", "boss2", "--password", "pw", "--institution", "fudan")
    assert Institution.objects.get(code="fudan").name == "fudan"
    assert User.objects.get(username="boss2").institution.code == "fudan"


@pytest.fixture
def development(settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    from users.models import User

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_lives_above_every_app():
    # The seeder imports every app, so it belongs to hotline.demo, not to a domain app.
    assert get_commands()["seed_demo"] == "hotline.demo"


@pytest.mark.django_db
def test_seed_demo_is_safe_to_run_twice(anon, development):
    call_command("seed_demo")

    def counts():
        return [model.objects.count() for model in (User, Conversation, Evaluation, Arrangement, Message)]

    before = counts()
    call_command("seed_demo")
    assert counts() == before
    assert Conversation.objects.filter(status="WAITING").exists()
    assert any(message.msg_body[0]["MsgType"] == "TIMCustomElem" for message in Message.objects.all())
    assert Message.objects.count() > 20
    assert Conversation.objects.filter(status="IN_PROGRESS").exists()
    pair = result_of(
        anon.post("/auth/login", {"username": "admin", "password": md5("hotline123")}, format="json")
    )
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert len(result_of(anon.get("/conversation/consultlist"))) == 9
    # the crisis workflow: the flagged visitor waits ahead of the earlier one; one alert open, one acked
    live = result_of(anon.get("/conversation/live"))
    waiting = [row for row in live if row["status"] == "WAITING"]
    assert [(row["riskLevel"], row["queuePosition"]) for row in waiting] == [("HIGH", 1), ("NONE", 2)]
    statuses = sorted(row["status"] for row in result_of(anon.get("/conversation/alerts")))
    assert statuses == ["ACKED", "OPEN"]
    assert Conversation.objects.filter(transferred_to__isnull=False).count() == 1


@pytest.mark.django_db
def test_seed_demo_workspace_counselor_sees_data_everywhere(anon, development):
    call_command("seed_demo")
    login = anon.post(
        "/api/consultant/auth/login",
        {
            "loginType": "password",
            "accountType": "email",
            "account": "limeijin@example.com",
            "credential": "hotline123",
        },
        format="json",
    ).json()
    assert login["code"] == 0
    auth = {"userID": login["data"]["userInfo"]["userID"], "token": login["data"]["token"]}
    for name in ("category-data", "yearly-consultations", "time-slot-data", "gender-data", "age-data"):
        data = anon.post(f"/api/consultant/dashboard/{name}", auth, format="json").json()["data"]
        assert any(value for value in data.values()), name
    statuses = {
        row["status"]
        for row in anon.post("/api/consultant/orders", {**auth, "pageSize": 100}, format="json").json()[
            "data"
        ]["data"]
    }
    assert statuses == {"待接单", "等待中", "咨询中", "已结束", "已拒绝"}
    assert anon.post("/api/consultant/user/comments", auth, format="json").json()["data"]
    phone = anon.post(
        "/api/consultant/auth/login",
        {
            "loginType": "password",
            "accountType": "phone",
            "account": "13122334567",
            "credential": "hotline123",
        },
        format="json",
    ).json()
    assert phone["code"] == 0


@pytest.mark.django_db
def test_seed_demo_case_files_template_slots_and_leave(anon, development):
    from consultant.models import Archive, Template
    from scheduling.models import LeavePeriod

    call_command("seed_demo")
    assert Archive.objects.filter(records__crisis_status="高危").exists()
    assert Template.objects.exists() and LeavePeriod.objects.exists()
    assert Arrangement.objects.filter(start_time__isnull=False).exists()
    call_command("seed_demo")
    assert Archive.objects.count() == 3 and Template.objects.count() == 1 and LeavePeriod.objects.count() == 1


PRODUCTION_ENV = {
    "SECRET_KEY": "k7R-q2vX9_mZ4tLp8WcN1bYh6FsJ3dGe0uAiOoKx5rTnVyBqHjEw",
    "DEBUG": "0",
    "SMS_BACKEND": "file",
    "TIM_CALLBACK_TOKEN": "tok",
    "FIELD_ENCRYPTION_KEYS": "zwTx0lX1u6ZiOqY3YzKD3P2xB5iYb0cQ6yL1m0C9G7s=",
    "FIELD_HASH_KEY": "prod-like-field-hash-key-for-tests-0123456789",
}
# Set for the test process by hotline/test_settings.py; a fresh production process must not inherit them.
TEST_ONLY_ENV = ("SECURE_SSL_REDIRECT", "API_DOCS", "TIM_CALLBACK_TOKEN", "SMS_BACKEND")


def run_check(*flags, **env):
    """`manage.py check` in a fresh process with the given environment (settings are read at start)."""
    import os
    import subprocess
    import sys

    base = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENV and key not in TEST_ONLY_ENV
    }
    base.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *flags],
        env={**base, "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_callback_token():
    refused = run_check(**{**PRODUCTION_ENV, "TIM_CALLBACK_TOKEN": ""})
    assert refused.returncode != 0 and "TIM_CALLBACK_TOKEN" in refused.stderr
    assert run_check(**PRODUCTION_ENV).returncode == 0


def test_production_refuses_the_console_sms_backend():
    refused = run_check(**{**PRODUCTION_ENV, "SMS_BACKEND": "console"})
    assert refused.returncode != 0 and "SMS_BACKEND" in refused.stderr


def test_development_without_a_callback_token_starts_with_a_warning():
    started = run_check(
        **{**PRODUCTION_ENV, "DEBUG": "1", "TIM_CALLBACK_TOKEN": "", "SMS_BACKEND": "console"}
    )
    assert started.returncode == 0, started.stderr
    assert "TIM_CALLBACK_TOKEN is empty" in started.stderr


def test_production_settings_pass_the_deployment_checklist():
    checked = run_check("--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_production_serves_no_api_docs_unless_asked():
    code = "from django.conf import settings; print(settings.API_DOCS)"
    for extra, expected in (({}, "False"), ({"API_DOCS": "1"}, "True")):
        shown = run_python(code, **{**PRODUCTION_ENV, **extra})
        assert shown.stdout.strip().splitlines()[-1] == expected, shown.stderr


def run_python(code, **env):
    import os
    import subprocess
    import sys

    base = {
        key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV and key != "API_DOCS"
    }
    base["DJANGO_SETTINGS_MODULE"] = "hotline.settings"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**base, "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("value", ["59", str(7 * 86400 + 1)])
def test_usersig_lifetime_out_of_bounds_refuses_to_start(value):
    refused = run_check(**{**PRODUCTION_ENV, "USERSIG_EXPIRE_SECONDS": value})
    assert refused.returncode != 0 and "USERSIG_EXPIRE_SECONDS" in refused.stderr


@pytest.mark.parametrize("name", ["FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"])
def test_production_refuses_to_start_without_field_encryption_keys(name):
    refused = run_check(**{**PRODUCTION_ENV, name: ""})
    assert refused.returncode != 0 and name in refused.stderr


def test_a_malformed_encryption_key_is_refused_without_being_printed():
    keys = f"{PRODUCTION_ENV['FIELD_ENCRYPTION_KEYS']},not-a-fernet-key"
    refused = run_check(**{**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": keys})
    assert refused.returncode != 0 and "key 2 is not a Fernet key" in refused.stderr
    assert "not-a-fernet-key" not in refused.stderr


def test_development_without_field_keys_derives_them_with_a_warning():
    env = {**PRODUCTION_ENV, "DEBUG": "1", "FIELD_ENCRYPTION_KEYS": "", "FIELD_HASH_KEY": ""}
    started = run_check(**env)
    assert started.returncode == 0, started.stderr
    assert "FIELD_ENCRYPTION_KEYS is empty" in started.stderr and "FIELD_HASH_KEY is empty" in started.stderr

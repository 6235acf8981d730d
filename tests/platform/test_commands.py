"""Management commands of CONTRACT §8."""

import pytest
from django.core.management import CommandError, call_command

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


@pytest.mark.django_db
def test_seed_demo_is_safe_to_run_twice(anon):
    call_command("seed_demo")

    def counts():
        return [model.objects.count() for model in (User, Conversation, Evaluation, Arrangement, Message)]

    before = counts()
    call_command("seed_demo")
    assert counts() == before
    assert Conversation.objects.filter(status="WAITING").exists()
    assert Message.objects.filter(msg_body__0__MsgType="TIMCustomElem").exists()
    assert Message.objects.count() > 20
    assert Conversation.objects.filter(status="IN_PROGRESS").exists()
    pair = result_of(
        anon.post("/auth/login", {"username": "admin", "password": md5("hotline123")}, format="json")
    )
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert len(result_of(anon.get("/conversation/consultlist"))) == 6

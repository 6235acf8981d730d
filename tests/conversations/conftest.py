"""Fixtures of the conversation tests: a counsellor on duty and a few visitors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation
from tests.helpers import make_user, put_on_duty
from users.models import UserType


@pytest.fixture
def on_duty(counselor):
    put_on_duty(counselor)
    return counselor


@pytest.fixture
def visitors(ecnu):
    return [make_user(UserType.VISITOR, inst=ecnu, name=f"访客{i}") for i in range(4)]


@pytest.fixture
def two_institutions(ecnu, other_inst, supervisor):
    """Counsellor A (supervised) and B in ecnu, C in sjtu, one finished session each."""
    a = make_user(UserType.COUNSELOR, inst=ecnu, username="counsel_a", name="甲老师")
    b = make_user(UserType.COUNSELOR, inst=ecnu, username="counsel_b", name="乙老师")
    c = make_user(UserType.COUNSELOR, inst=other_inst, username="counsel_c", name="丙老师")
    a.supervisors.add(supervisor)
    now = timezone.now()
    made = {}
    for index, counselor in enumerate((a, b, c)):
        visitor = make_user(UserType.VISITOR, inst=counselor.institution, name=f"来访者{index}")
        made[counselor.username] = Conversation.objects.create(
            status="FINISHED",
            user=visitor,
            counselor=counselor,
            institution=counselor.institution,
            start_time=now - timedelta(hours=3 - index),
            end_time=now - timedelta(hours=2 - index),
            duration=(index + 1) * 1000,
        )
    return a, b, c, made

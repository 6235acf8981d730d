"""Retention fixtures: conversations with transcripts and ratings, aged by setting their times."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation
from evaluations.models import Evaluation
from messages.models import Message
from tests.helpers import make_user
from tests.messages.helpers import message, post_callback
from users.models import User, UserType


@pytest.fixture
def aged_session(anon, tim, ecnu, counselor):
    """make(visitor, days_ago, open=False): a session of `visitor` created `days_ago` days ago (ended a day
    later unless open), with two messages through the IM callback and a rated evaluation; the visitor's
    account is as old."""

    def make(visitor, days_ago, *, open=False):
        created = timezone.now() - timedelta(days=days_ago)
        status = "IN_PROGRESS" if open else "FINISHED"
        session = Conversation.objects.create(
            status=status, user=visitor, counselor=counselor, institution=ecnu, start_time=created
        )
        end = None if open else created + timedelta(days=1)
        Conversation.objects.filter(pk=session.pk).update(created_at=created, end_time=end)
        User.objects.filter(pk=visitor.pk).update(created_at=created)
        for index, (sender, receiver) in enumerate([(visitor, counselor), (counselor, visitor)]):
            body = message(
                f"{session.pk}-{index}",
                session.pk,
                sender=sender.username,
                receiver=receiver.username,
                seq=index,
                at=int(created.timestamp()) + index,
            )
            assert post_callback(anon, body).json()["ActionStatus"] == "OK"
        if not open:
            Evaluation.objects.create(
                conversation=session, level=4, content="谢谢老师，我好多了", creator=visitor
            )
        return session

    return make


@pytest.fixture
def new_visitor(ecnu):
    def make(name="张同学"):
        return make_user(
            UserType.VISITOR,
            inst=ecnu,
            name=name,
            phone_number="13800001111",
            id_number="110101200001011234",
            emergency_contact="张妈妈",
            emergency_phone="13900002222",
            open_id="",
        )

    return make


def messages_of(session):
    return Message.objects.filter(conversation_id=session.pk).count()

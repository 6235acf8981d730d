"""`seed_demo --scale N`: the expected rows, in bulk, safe to repeat, refused outside DEBUG; the scaled data
reads back through the API (messages decrypted) and feeds the dashboard."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from consultant.models import Archive, InterviewRecord, Order
from conversations.models import Conversation
from evaluations.models import Evaluation
from hotline.api.timeutil import day_start, today
from messages.models import Message
from scheduling.models import Arrangement
from tests.helpers import md5, result_of
from users.models import User


def scale_counts():
    counselors = User.objects.filter(username__startswith="scale_c")
    sessions = Conversation.objects.filter(counselor__in=counselors)
    return {
        "counselors": counselors.count(),
        "visitors": User.objects.filter(username__startswith="scale_v").count(),
        "conversations": sessions.count(),
        "messages": Message.objects.filter(conversation__in=sessions).count(),
        "evaluations": Evaluation.objects.filter(conversation__in=sessions).count(),
        "arrangements": Arrangement.objects.filter(user__in=counselors).count(),
        "orders": Order.objects.filter(consultant__in=counselors).count(),
        "archives": Archive.objects.filter(consultant__in=counselors).count(),
        "records": InterviewRecord.objects.filter(archive__consultant__in=counselors).count(),
    }


def expected(units):
    return {
        "counselors": units,
        "visitors": 10 * units,
        "conversations": 20 * units,
        "messages": 200 * units,
        "evaluations": 12 * units,
        "arrangements": 7 * units,
        "orders": 5 * units,
        "archives": units,
        "records": 2 * units,
    }


@pytest.mark.django_db
def test_scale_creates_the_expected_rows_and_is_safe_to_repeat(settings, anon):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", "--scale", "3", stdout=out)
    assert scale_counts() == expected(3)
    output = out.getvalue()
    assert "seed_demo --scale: 3/3 (100%)" in output
    assert "created 33 users, 60 conversations, 600 messages" in output

    out = StringIO()
    call_command("seed_demo", "--scale", "3", stdout=out)
    assert scale_counts() == expected(3)
    assert "nothing created" in out.getvalue()

    call_command("seed_demo", "--scale", "4", stdout=StringIO())  # adds only the fourth
    assert scale_counts() == expected(4)

    # Sessions keep their own creation times (spread over the month, two a counsellor today).
    created = Conversation.objects.filter(counselor__username__startswith="scale_c").values_list(
        "created_at", flat=True
    )
    assert len({moment.date() for moment in created}) > 5

    # Message text is encrypted at rest and reads back through the API.
    message = Message.objects.filter(msg_key__startswith="scale-").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT msg_body::text FROM hotline_messages_message WHERE id = %s", [message.pk])
        assert "老师" not in cursor.fetchone()[0]
    pair = result_of(
        anon.post("/auth/login", {"username": "admin", "password": md5("hotline123")}, format="json")
    )
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    transcript = result_of(anon.get(f"/message/conversation/web?conversationId={message.conversation_id}"))
    assert "老师您好，最近压力很大" in str(transcript)
    # The scale counsellors sign in with the demo password.
    assert result_of(
        anon.post("/auth/login", {"username": "scale_c00001", "password": md5("hotline123")}, format="json")
    )


@pytest.mark.django_db
def test_scale_refuses_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", "--scale", "2")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_negative_scale_is_refused(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_demo", "--scale", "-1")


@pytest.mark.django_db
def test_demo_institution_admins_open_their_dashboard(settings, client):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "2", stdout=StringIO())
    assert client.login(username="ecnu_admin", password="hotline123")
    response = client.get("/admin/dashboard/")
    assert response.status_code == 200
    figures = response.context["figures"]
    # scale_c00002 is in ecnu (even units), scale_c00001 in sjtu: the page counts ecnu's sessions only.
    started_today = Conversation.objects.filter(
        start_time__gte=day_start(today()), start_time__lt=day_start(today() + timedelta(days=1))
    )
    assert (
        sum(count for _, count in figures["hours"]) == started_today.filter(institution__code="ecnu").count()
    )
    assert started_today.filter(institution__code="sjtu").count() == 2
    sjtu_counsellor = User.objects.get(username="scale_c00001")
    assert sjtu_counsellor.name not in dict(figures["top"])
    assert User.objects.get(username="scale_c00002").name in dict(figures["top"])

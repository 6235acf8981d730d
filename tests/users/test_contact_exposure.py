"""Minimum exposure of a visitor's contact data (issue 12, rule in `users/exposure.py`): staff see the
phone and emergency contact unmasked only on the conversation of an open session or one flagged at risk; elsewhere masked;
administrators see them in full; other visitors never."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation
from tests.helpers import put_on_duty, result_of

FULL = {
    "phoneNumber": "13812345678",
    "emergencyContact": "张三",
    "emergencyPhone": "13900001111",
    "email": "zhang@example.com",
}
MASKED = {
    "phoneNumber": "138****5678",
    "emergencyContact": "张*",
    "emergencyPhone": "139****1111",
    "email": "z****@example.com",
}
HIDDEN = dict.fromkeys(FULL)


def contacts(user_json):
    return {key: user_json[key] for key in FULL}


@pytest.fixture
def sessions(ecnu, visitor, counselor, supervisor):
    """The visitor (with contacts) in a closed session and an open one with the same counsellor."""
    counselor.supervisors.add(supervisor)
    visitor.phone_number = FULL["phoneNumber"]
    visitor.emergency_contact = FULL["emergencyContact"]
    visitor.emergency_phone = FULL["emergencyPhone"]
    visitor.email = FULL["email"]
    visitor.id_number = "310101199001011234"
    visitor.save()
    now = timezone.now()
    common = {"user": visitor, "counselor": counselor, "institution": ecnu}
    closed = Conversation.objects.create(
        status="FINISHED", start_time=now - timedelta(hours=2), end_time=now - timedelta(hours=1), **common
    )
    opened = Conversation.objects.create(status="IN_PROGRESS", start_time=now, **common)
    return {"closed": closed.id, "open": opened.id}


def rows_seen_by(as_user, user):
    """The visitor's contacts in each consultation-list row the user sees, by session."""
    rows = result_of(as_user(user).get("/conversation/consultlist"))
    return {row["id"]: row["user"] for row in rows}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["counselor", "supervisor"])
def test_staff_see_contacts_only_on_the_open_session(request, as_user, sessions, role):
    seen = rows_seen_by(as_user, request.getfixturevalue(role))
    assert contacts(seen[sessions["open"]]) == FULL
    assert contacts(seen[sessions["closed"]]) == MASKED
    assert seen[sessions["open"]]["idNumber"] is None  # CONTRACT §4 unchanged: administrators and self only


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["inst_admin", "sysadmin"])
def test_administrators_see_contacts_in_full(request, as_user, sessions, role):
    seen = rows_seen_by(as_user, request.getfixturevalue(role))
    assert contacts(seen[sessions["open"]]) == FULL and contacts(seen[sessions["closed"]]) == FULL
    assert seen[sessions["closed"]]["idNumber"] == "310101199001011234"


@pytest.mark.django_db
def test_administrators_user_list_shows_visitors_contacts(as_user, inst_admin, sessions, visitor):
    [row] = result_of(as_user(inst_admin).get("/user/list", {"type": "VISITOR"}))
    assert row["id"] == visitor.id and contacts(row) == FULL


@pytest.mark.django_db
def test_a_waiting_session_counts_as_open(as_user, ecnu, counselor, sessions, visitor):
    Conversation.objects.filter(pk=sessions["open"]).update(status="WAITING", start_time=None)
    seen = rows_seen_by(as_user, counselor)
    assert contacts(seen[sessions["open"]]) == FULL and contacts(seen[sessions["closed"]]) == MASKED


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["counselor", "supervisor"])
def test_a_closed_session_flagged_at_risk_shows_the_contacts(request, as_user, sessions, role):
    """After a crisis the counsellor may need to reach the visitor or the emergency contact."""
    Conversation.objects.filter(pk=sessions["closed"]).update(risk_level="HIGH", risk_source="STAFF")
    seen = rows_seen_by(as_user, request.getfixturevalue(role))
    assert contacts(seen[sessions["closed"]]) == FULL
    assert seen[sessions["closed"]]["idNumber"] is None
    Conversation.objects.filter(pk=sessions["closed"]).update(risk_level="NONE", risk_source="")
    assert contacts(rows_seen_by(as_user, request.getfixturevalue(role))[sessions["closed"]]) == MASKED


@pytest.mark.django_db
def test_an_overdue_session_reads_closed(settings, as_user, counselor, sessions):
    settings.CONVERSATION_TIMEOUT_MINUTES = "30"
    Conversation.objects.filter(pk=sessions["open"]).update(start_time=timezone.now() - timedelta(hours=1))
    seen = rows_seen_by(as_user, counselor)
    assert seen[sessions["open"]] and contacts(seen[sessions["open"]]) == MASKED


@pytest.mark.django_db
def test_the_visitor_sees_its_own_contacts_and_not_the_counsellors(as_user, visitor, counselor, sessions):
    counselor.phone_number = "13122334567"
    counselor.save()
    current = result_of(as_user(visitor).get("/conversation/current"))
    assert current["id"] == sessions["open"]
    assert contacts(current["user"]) == FULL
    assert current["counselor"]["phoneNumber"] is None


@pytest.mark.django_db
def test_a_supervision_request_shows_the_open_sessions_visitor_in_full(
    as_user, counselor, supervisor, sessions
):
    put_on_duty(supervisor)
    shown = result_of(
        as_user(counselor).put(
            "/conversation/supervise",
            {"supervise": supervisor.id, "conversationId": sessions["open"]},
            format="json",
        )
    )
    assert shown["id"] == sessions["open"] and contacts(shown["user"]) == FULL


@pytest.mark.django_db
def test_short_values_and_compound_surnames_are_masked_too(as_user, ecnu, counselor, sessions, visitor):
    visitor.phone_number = "12345"
    visitor.emergency_contact = "欧阳娜娜"
    visitor.emergency_phone = ""
    visitor.email = ""
    visitor.save()
    seen = rows_seen_by(as_user, counselor)[sessions["closed"]]
    assert contacts(seen) == {
        "phoneNumber": "1***5",
        "emergencyContact": "欧阳**",
        "emergencyPhone": None,
        "email": None,
    }


@pytest.mark.django_db
def test_staff_contacts_stay_visible_to_staff(as_user, counselor, supervisor, sessions):
    counselor.phone_number = "13122334567"
    counselor.save()
    rows = result_of(as_user(supervisor).get("/conversation/consultlist"))
    assert {row["counselor"]["phoneNumber"] for row in rows} == {"13122334567"}

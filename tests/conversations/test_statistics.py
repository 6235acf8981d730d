"""Statistics for administrators, institution-scoped (seed §30–33, CONTRACT §5)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation
from evaluations.models import Evaluation
from hotline.api.timeutil import day_start, today
from tests.helpers import error_of, make_user, result_of
from users.models import UserType

ENDPOINTS = ["7statistics", "todaychange", "numberranking", "ratedranking"]


def session(counselor, *, created=None, started=None, status="FINISHED", level=None):
    visitor = make_user(UserType.VISITOR, inst=counselor.institution)
    conversation = Conversation.objects.create(
        status=status,
        user=visitor,
        counselor=counselor,
        institution=counselor.institution,
        start_time=started,
    )
    if created is not None:
        Conversation.objects.filter(pk=conversation.pk).update(created_at=created)
    if level is not None:
        Evaluation.objects.create(conversation=conversation, level=level, creator=visitor)
    return conversation


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_statistics_are_for_administrators(as_user, counselor, visitor, endpoint):
    error_of(as_user(counselor).get(f"/conversation/{endpoint}"), 403, -5)
    error_of(as_user(visitor).get(f"/conversation/{endpoint}"), 403, -5)


@pytest.mark.django_db
def test_seven_day_counts(as_user, inst_admin, counselor, other_inst):
    noon_today = day_start(today()) + timedelta(hours=12)
    session(counselor, created=noon_today)
    session(counselor, created=noon_today - timedelta(hours=11, minutes=59))  # 00:01 today in Shanghai
    session(counselor, created=noon_today - timedelta(days=6))
    session(counselor, created=noon_today - timedelta(days=7))  # outside the window
    stranger = make_user(UserType.COUNSELOR, inst=other_inst)
    session(stranger, created=noon_today)
    assert result_of(as_user(inst_admin).get("/conversation/7statistics")) == {
        "1": 1,
        "2": 0,
        "3": 0,
        "4": 0,
        "5": 0,
        "6": 0,
        "7": 2,
    }


@pytest.mark.django_db
def test_today_change_counts_starts_per_hour(as_user, inst_admin, counselor):
    start = day_start(today())
    session(counselor, started=start + timedelta(hours=9, minutes=5))
    session(counselor, started=start + timedelta(hours=9, minutes=55))
    session(counselor, started=start + timedelta(hours=18))
    session(counselor, started=start - timedelta(minutes=1))  # yesterday 23:59
    result = result_of(as_user(inst_admin).get("/conversation/todaychange"))
    assert list(result) == [str(hour) for hour in range(24)]
    assert result["9"] == 2 and result["18"] == 1 and sum(result.values()) == 3


@pytest.mark.django_db
def test_number_ranking(as_user, inst_admin, sysadmin, ecnu, other_inst):
    now = timezone.now()
    first = make_user(UserType.COUNSELOR, inst=ecnu, name="甲", gender="女")
    second = make_user(UserType.COUNSELOR, inst=ecnu, name="乙", gender="男")
    stranger = make_user(UserType.COUNSELOR, inst=other_inst, name="丙")
    for _ in range(3):
        session(first, started=now)
    session(second, started=now)
    session(second, started=day_start(today().replace(day=1)) - timedelta(days=1))  # last month
    for _ in range(5):
        session(stranger, started=now)
    ranking = result_of(as_user(inst_admin).get("/conversation/numberranking"))
    assert ranking == [
        {"id": first.id, "name": "甲", "gender": "女", "number": 3},
        {"id": second.id, "name": "乙", "gender": "男", "number": 1},
    ]
    assert result_of(as_user(sysadmin).get("/conversation/numberranking"))[0]["name"] == "丙"


@pytest.mark.django_db
def test_rated_ranking(as_user, inst_admin, ecnu):
    now = timezone.now()
    first = make_user(UserType.COUNSELOR, inst=ecnu, name="甲")
    second = make_user(UserType.COUNSELOR, inst=ecnu, name="乙")
    for level in (5, 4, 4):
        session(first, started=now, level=level)
    session(second, started=now, level=5)
    ranking = result_of(as_user(inst_admin).get("/conversation/ratedranking"))
    assert [(row["name"], row["rate"]) for row in ranking] == [("乙", 5.0), ("甲", 4.3333)]
    assert set(ranking[0]) == {"id", "name", "gender", "rate"}


@pytest.mark.django_db
def test_figures_are_kept_briefly_then_refreshed(as_user, inst_admin, counselor, monkeypatch):
    """Figures are cached per administrator for a few seconds (performance, issue 13), then the next
    request sees the new sessions; an expired entry is answered stale only while another thread
    refreshes it."""
    from conversations import selectors

    monkeypatch.setattr(selectors._figures, "seconds", 0.2)
    now = timezone.now()
    session(counselor, started=now)
    first = result_of(as_user(inst_admin).get("/conversation/todaychange"))
    session(counselor, started=now)
    assert result_of(as_user(inst_admin).get("/conversation/todaychange")) == first  # within the lifetime
    time.sleep(0.25)
    refreshed = result_of(as_user(inst_admin).get("/conversation/todaychange"))
    assert sum(refreshed.values()) == sum(first.values()) + 1


@pytest.mark.django_db
def test_rankings_are_kept_longer_then_refreshed(as_user, inst_admin, ecnu, monkeypatch):
    """The month's rankings live RANKING_CACHE_SECONDS (a minute), the other figures a few seconds: a
    rating given meanwhile shows in the ranking once its entry expires, and in the counts sooner."""
    from conversations import selectors

    assert selectors.RANKING_CACHE_SECONDS > selectors.STATISTICS_CACHE_SECONDS
    monkeypatch.setattr(selectors._rankings, "seconds", 0.3)
    monkeypatch.setattr(selectors._figures, "seconds", 0)
    counselor = make_user(UserType.COUNSELOR, inst=ecnu, name="甲")
    session(counselor, started=timezone.now(), level=5)
    assert result_of(as_user(inst_admin).get("/conversation/ratedranking"))[0]["rate"] == 5.0
    before = result_of(as_user(inst_admin).get("/conversation/todaychange"))
    session(counselor, started=timezone.now(), level=1)
    assert result_of(as_user(inst_admin).get("/conversation/ratedranking"))[0]["rate"] == 5.0
    after = result_of(as_user(inst_admin).get("/conversation/todaychange"))
    assert sum(after.values()) == sum(before.values()) + 1  # the counts' entry was already stale
    time.sleep(0.35)
    assert result_of(as_user(inst_admin).get("/conversation/ratedranking"))[0]["rate"] == 3.0

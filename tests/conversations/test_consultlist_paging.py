"""consultlist as issue 13 made it fast: pages picked by key, a capped count, names matched in the users
table first (1-2 Chinese characters included), a fixed number of queries whatever the number of rows."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations.models import Conversation
from tests.helpers import make_user, result_of
from users.models import UserType


def make_conversations(inst, count, *, counselor=None, visitor_name="来访者"):
    counselor = counselor or make_user(UserType.COUNSELOR, inst=inst, name="丁娜")
    now = timezone.now()
    made = []
    for index in range(count):
        visitor = make_user(UserType.VISITOR, inst=inst, name=f"{visitor_name}{index}")
        made.append(
            Conversation.objects.create(
                status="FINISHED",
                user=visitor,
                counselor=counselor,
                institution=inst,
                start_time=now - timedelta(minutes=index),
                end_time=now - timedelta(minutes=index) + timedelta(seconds=30),
                duration=30000,
            )
        )
    return made  # newest first, the list's default order


def page(client, **params):
    return client.get("/conversation/consultlist", params).json()


@pytest.mark.django_db
def test_pages_keep_the_order_and_next(as_user, inst_admin, ecnu):
    made = make_conversations(ecnu, 7)
    client = as_user(inst_admin)
    seen = []
    for number in (1, 2, 3, 4):
        body = page(client, page=number, size=2)
        assert body["count"] == 7 and body["next"] == (number + 1 if number < 4 else None)
        seen += [row["id"] for row in body["result"]]
    assert seen == [conv.id for conv in made]
    # A page past the end is empty, as before.
    assert page(client, page=9, size=2) == {
        "code": 0,
        "message": "OK",
        "result": [],
        "count": 7,
        "next": None,
    }


@pytest.mark.django_db
def test_count_is_capped_by_the_setting_and_next_stays_exact(as_user, inst_admin, ecnu, settings):
    made = make_conversations(ecnu, 5)
    client = as_user(inst_admin)
    settings.LIST_COUNT_CAP = 3
    first = page(client, page=1, size=2)
    assert first["count"] == 3 and first["next"] == 2
    assert [row["id"] for row in first["result"]] == [made[0].id, made[1].id]
    # A page at or past the cap shows at least the rows it proves exist.
    second = page(client, page=2, size=2)
    assert second["count"] == 5 and second["next"] == 3
    last = page(client, page=3, size=2)
    assert (
        last["count"] == 5 and last["next"] is None and [row["id"] for row in last["result"]] == [made[4].id]
    )
    settings.LIST_COUNT_CAP = 0
    assert page(client, page=1, size=2)["count"] == 5


@pytest.mark.django_db
def test_short_chinese_name_filters(as_user, inst_admin, ecnu):
    zheng = make_conversations(ecnu, 2, visitor_name="郑明")
    ding = make_user(UserType.COUNSELOR, inst=ecnu, name="丁娜")
    other = make_conversations(ecnu, 2, counselor=make_user(UserType.COUNSELOR, inst=ecnu, name="王芳"))
    by_ding = make_conversations(ecnu, 1, counselor=ding, visitor_name="Alice")
    client = as_user(inst_admin)

    def ids(**params):
        return {row["id"] for row in result_of(client.get("/conversation/consultlist", params))}

    everyone_zheng = {conv.id for conv in zheng}
    assert ids(visitorName="郑") == everyone_zheng
    assert ids(visitorName="郑明") == everyone_zheng
    assert ids(visitorName="明") == everyone_zheng  # a fragment anywhere in the name
    assert ids(visitorName="明郑") == set()  # the characters in that order, not just present
    assert ids(counselorName="王") == {conv.id for conv in other}
    assert ids(counselorName="丁") == {conv.id for conv in zheng + by_ding}  # make_conversations' 丁娜 too
    assert ids(counselorName="丁娜", visitorName="alice") == {by_ding[0].id}  # Latin: case-insensitive
    assert ids(visitorName="赵") == set()


@pytest.mark.django_db
def test_a_name_filter_never_widens_the_scope(as_user, inst_admin, ecnu, other_inst):
    mine = make_conversations(ecnu, 1, visitor_name="郑")
    make_conversations(other_inst, 2, visitor_name="郑")
    rows = result_of(as_user(inst_admin).get("/conversation/consultlist", {"visitorName": "郑"}))
    assert [row["id"] for row in rows] == [mine[0].id]


def queries_of(client, **params):
    with CaptureQueriesContext(connection) as queries:
        result_of(client.get("/conversation/consultlist", params))
    return len(queries)


@pytest.mark.django_db
def test_query_count_is_fixed_whatever_the_rows(as_user, sysadmin, inst_admin, ecnu, supervisor):
    counselor = make_user(UserType.COUNSELOR, inst=ecnu, name="丁娜")
    counselor.supervisors.add(supervisor)
    make_conversations(ecnu, 2, counselor=counselor)
    few = {
        (user.pk, name): queries_of(as_user(user), size=100, **filters)
        for user in (sysadmin, inst_admin)
        for name, filters in (("plain", {}), ("names", {"visitorName": "来访", "counselorName": "丁"}))
    }
    make_conversations(ecnu, 25, counselor=counselor)
    make_conversations(ecnu, 5)
    many = {
        (user.pk, name): queries_of(as_user(user), size=100, **filters)
        for user in (sysadmin, inst_admin)
        for name, filters in (("plain", {}), ("names", {"visitorName": "来访", "counselorName": "丁"}))
    }
    assert few == many
    # caller, count, the page's keys, its rows, the supervision ids and the supervisors' ids (one query
    # each for the page); one more per name filter (no row waits here: no queue query)
    assert many[(sysadmin.pk, "plain")] == 6 and many[(sysadmin.pk, "names")] == 8


@pytest.mark.django_db
def test_a_large_count_is_kept_a_few_seconds_a_small_one_never(as_user, inst_admin, ecnu, monkeypatch):
    """A count of LARGE_COUNT rows or more is kept per caller and filters for a few seconds (pages and
    `next` stay fresh); a smaller count is exact on every request."""
    from hotline.api import envelope

    monkeypatch.setattr(envelope._large_counts, "seconds", 0.5)
    counselor = make_user(UserType.COUNSELOR, inst=ecnu, name="丁娜")
    visitor = make_user(UserType.VISITOR, inst=ecnu, name="来访者")
    now = timezone.now()
    Conversation.objects.bulk_create(
        Conversation(
            status="FINISHED",
            user=visitor,
            counselor=counselor,
            institution=ecnu,
            start_time=now - timedelta(minutes=index + 1),
        )
        for index in range(envelope.LARGE_COUNT)
    )
    client = as_user(inst_admin)
    assert page(client)["count"] == envelope.LARGE_COUNT
    newest = make_conversations(ecnu, 1, visitor_name="新来访者")[0]
    body = page(client)
    assert body["count"] == envelope.LARGE_COUNT  # kept
    assert body["result"][0]["id"] == newest.id  # the page itself is read fresh
    assert page(client, visitorName="新来访")["count"] == 1  # other filters: their own, small, exact
    make_conversations(ecnu, 1, visitor_name="新来访者")
    assert page(client, visitorName="新来访")["count"] == 2
    time.sleep(0.6)
    assert page(client)["count"] == envelope.LARGE_COUNT + 2

"""Reading conversations: /conversation/consultlist (scoped, sorted, paged) and /conversation/current."""

import pytest
from django.utils import timezone

from conversations.models import Conversation
from tests.conversations.helpers import start
from tests.helpers import error_of, make_user, result_of
from users.models import UserType


@pytest.mark.django_db
def test_consultlist_is_scoped_by_role(as_user, sysadmin, inst_admin, supervisor, two_institutions):
    a, b, c, made = two_institutions

    def ids(user):
        return {row["id"] for row in result_of(as_user(user).get("/conversation/consultlist"))}

    assert ids(sysadmin) == {conv.id for conv in made.values()}
    assert ids(inst_admin) == {made["counsel_a"].id, made["counsel_b"].id}
    assert ids(a) == {made["counsel_a"].id}
    assert ids(supervisor) == {made["counsel_a"].id}
    assert ids(c) == {made["counsel_c"].id}
    error_of(as_user(made["counsel_a"].user).get("/conversation/consultlist"), 403, -5)


@pytest.mark.django_db
def test_consultlist_sorts_filters_and_pages(as_user, sysadmin, two_institutions):
    a, b, c, made = two_institutions
    client = as_user(sysadmin)

    def order(**params):
        return [
            row["counselor"]["username"] for row in result_of(client.get("/conversation/consultlist", params))
        ]

    assert order() == ["counsel_c", "counsel_b", "counsel_a"]  # startTime desc
    assert order(property="duration", direction="asc") == ["counsel_a", "counsel_b", "counsel_c"]
    assert order(counselorName="乙") == ["counsel_b"]
    assert order(visitorName="来访者2") == ["counsel_c"]
    start_b = int(made["counsel_b"].start_time.timestamp() * 1000)
    assert order(startTime=start_b) == ["counsel_c", "counsel_b"]
    assert order(endTime=start_b) == ["counsel_b", "counsel_a"]
    page = client.get("/conversation/consultlist", {"size": 2}).json()
    assert page["count"] == 3 and page["next"] == 2
    assert "[property]" in error_of(client.get("/conversation/consultlist", {"property": "name"}), 400, -2)
    assert "[direction]" in error_of(client.get("/conversation/consultlist", {"direction": "up"}), 400, -2)
    assert "[startTime]" in error_of(client.get("/conversation/consultlist", {"startTime": "soon"}), 400, -2)


@pytest.mark.django_db
def test_consultlist_sorts_by_level(as_user, sysadmin, two_institutions):
    from evaluations.models import Evaluation

    a, b, c, made = two_institutions
    for username, level in (("counsel_a", 5), ("counsel_b", 2)):
        conv = made[username]
        Evaluation.objects.create(conversation=conv, level=level, creator=conv.user)
    rows = result_of(
        as_user(sysadmin).get("/conversation/consultlist", {"property": "level", "direction": "desc"})
    )
    assert [row["counselor"]["username"] for row in rows] == ["counsel_a", "counsel_b", "counsel_c"]
    assert rows[0]["evaluate"]["level"] == 5 and rows[0]["evaluate"]["objectType"] == "CONVERSATION"


@pytest.mark.django_db
def test_consultlist_runs_a_fixed_number_of_queries(
    as_user, sysadmin, ecnu, supervisor, django_assert_max_num_queries
):
    from evaluations.models import Evaluation

    for index in range(15):
        counselor = make_user(UserType.COUNSELOR, inst=ecnu)
        counselor.supervisors.add(supervisor)
        visitor = make_user(UserType.VISITOR, inst=ecnu)
        conv = Conversation.objects.create(
            status="FINISHED", user=visitor, counselor=counselor, institution=ecnu, start_time=timezone.now()
        )
        Conversation.objects.create(
            status="FINISHED",
            type="REQUEST_SUPERVISE",
            user=counselor,
            counselor=supervisor,
            institution=ecnu,
            parent=conv,
        )
        if index % 2:
            Evaluation.objects.create(conversation=conv, level=4, creator=visitor)
    client = as_user(sysadmin)
    # caller, count, the page's ids, its rows, prefetches: supervisions, user supervisors, counselor
    # supervisors
    with django_assert_max_num_queries(7):
        assert len(result_of(client.get("/conversation/consultlist", {"size": 100}))) == 30


@pytest.mark.django_db
def test_current_runs_a_fixed_number_of_queries(as_user, visitor, on_duty, django_assert_max_num_queries):
    result_of(start(as_user(visitor), on_duty))
    client = as_user(visitor)
    with django_assert_max_num_queries(7):
        assert result_of(client.get("/conversation/current"))["status"] == "IN_PROGRESS"


@pytest.mark.django_db
def test_current_is_null_then_open_then_most_recent(as_user, visitor, on_duty):
    client = as_user(visitor)
    assert client.get("/conversation/current").json() == {"code": 0, "message": "OK", "result": None}
    first = result_of(start(client, on_duty))
    assert result_of(client.get("/conversation/current"))["id"] == first["id"]
    result_of(client.post(f"/conversation/end/{first['id']}"))
    assert result_of(client.get("/conversation/current"))["status"] == "FINISHED"
    error_of(as_user(on_duty).get("/conversation/current"), 403, -5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/arrange/theday?timestamp=253402300799999&type=COUNSELOR",
        "/conversation/consultlist?startTime=253402300799999",
        "/conversation/consultlist?endTime=253402300799999",
    ],
)
def test_far_future_timestamps_are_rejected_not_crashed(as_user, sysadmin, path):
    assert as_user(sysadmin).get(path).json()["code"] == -2

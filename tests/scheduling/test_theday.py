"""GET /arrange/theday: who is on duty, as the mini-program shows it (seed §25, CONTRACT §6)."""

import itertools
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.models import Conversation
from evaluations.models import Evaluation
from hotline.api.timeutil import day_bounds, today
from scheduling.models import Arrangement, LeavePeriod, WeeklyDuty
from scheduling.selectors import _theday_records_orm, _theday_records_sql, duty_users
from scheduling.serializers import TheDaySerializer
from tests.helpers import error_of, make_user, put_on_duty, result_of, set_online
from tests.scheduling.helpers import arrange, theday
from users.models import UserType


@pytest.mark.django_db
def test_theday_rows_carry_what_the_mini_program_shows(as_user, inst_admin, visitor, counselor):
    result_of(arrange(as_user(inst_admin), [counselor]))
    body = theday(as_user(visitor)).json()
    assert body["count"] == 1 and body["next"] is None
    row = body["result"][0]
    assert row["userId"] == counselor.id and row["user"] == counselor.id
    assert row["userName"] == "李玫瑾" and row["gender"] == "女" and row["tencentID"] == "liMeijin"
    assert row["level"] is None and row["status"] == "离线" and row["isConsulted"] == "未咨询过"
    assert row["localDate"] == today().isoformat()


@pytest.mark.django_db
def test_theday_status_follows_presence_and_load(as_user, visitor, counselor, ecnu):
    put_on_duty(counselor)
    client = as_user(visitor)
    set_online(counselor)
    assert result_of(theday(client))[0]["status"] == "空闲"
    counselor.max_consults = 1
    counselor.save()
    other = make_user(UserType.VISITOR, inst=ecnu)
    result_of(as_user(other).put("/conversation", {"counselor": counselor.id}, format="json"))
    assert result_of(theday(client))[0]["status"] == "忙碌"
    set_online(counselor, online=False)
    assert result_of(theday(client))[0]["status"] == "离线"


@pytest.mark.django_db
def test_theday_state_online_keeps_online_users(as_user, visitor, counselor, ecnu):
    offline = make_user(UserType.COUNSELOR, inst=ecnu, username="offline_one")
    put_on_duty(counselor, offline)
    set_online(counselor)
    assert [r["userId"] for r in result_of(theday(as_user(visitor), state="online"))] == [counselor.id]
    assert len(result_of(theday(as_user(visitor)))) == 2


@pytest.mark.django_db
def test_theday_state_offline(as_user, visitor, counselor, ecnu):
    offline = make_user(UserType.COUNSELOR, inst=ecnu, username="offline_one")
    put_on_duty(counselor, offline)
    set_online(counselor)
    assert [r["userId"] for r in result_of(theday(as_user(visitor), state="offline"))] == [offline.id]


@pytest.mark.django_db
def test_theday_level_and_is_consulted(as_user, visitor, counselor, ecnu):
    put_on_duty(counselor)
    for level in (5, 4, 4):
        someone = make_user(UserType.VISITOR, inst=ecnu)
        conversation = Conversation.objects.create(
            status="FINISHED", user=someone, counselor=counselor, institution=ecnu
        )
        Evaluation.objects.create(conversation=conversation, level=level, creator=someone)
    row = result_of(theday(as_user(visitor)))[0]
    assert row["level"] == 4.3333 and row["isConsulted"] == "未咨询过"
    Conversation.objects.create(status="FINISHED", user=visitor, counselor=counselor, institution=ecnu)
    assert result_of(theday(as_user(visitor)))[0]["isConsulted"] == "咨询过"


@pytest.mark.django_db
def test_theday_is_scoped_to_the_callers_institution(as_user, visitor, counselor, other_inst):
    stranger = make_user(UserType.COUNSELOR, inst=other_inst)
    put_on_duty(counselor, stranger)
    assert [r["userId"] for r in result_of(theday(as_user(visitor)))] == [counselor.id]


@pytest.mark.django_db
def test_theday_lists_supervisors_by_type(as_user, counselor, supervisor):
    put_on_duty(counselor, supervisor)
    rows = result_of(theday(as_user(counselor), user_type="SUPERVISOR"))
    assert [r["userId"] for r in rows] == [supervisor.id] and rows[0]["type"] == "SUPERVISOR"


@pytest.mark.django_db
def test_theday_pages(as_user, visitor, ecnu):
    put_on_duty(*[make_user(UserType.COUNSELOR, inst=ecnu) for _ in range(5)])
    body = theday(as_user(visitor), page=1, size=2).json()
    assert body["count"] == 5 and body["next"] == 2 and len(body["result"]) == 2
    last = theday(as_user(visitor), page=3, size=2).json()
    assert last["next"] is None and len(last["result"]) == 1


@pytest.mark.django_db
def test_theday_validates_input(as_user, visitor):
    assert (
        error_of(as_user(visitor).get("/arrange/theday", {"timestamp": 1700000000000}), 400, -2)
        == "key [type] not optional"
    )
    assert "[timestamp]" in error_of(as_user(visitor).get("/arrange/theday", {"type": "COUNSELOR"}), 400, -2)
    assert "[timestamp]" in error_of(
        as_user(visitor).get("/arrange/theday", {"type": "COUNSELOR", "timestamp": "x"}), 400, -2
    )


@pytest.mark.django_db
def test_theday_runs_a_fixed_number_of_queries(as_user, visitor, ecnu, django_assert_max_num_queries):
    staff = [make_user(UserType.COUNSELOR, inst=ecnu) for _ in range(12)]
    put_on_duty(*staff)
    set_online(*staff[:6])
    client = as_user(visitor)
    # caller, the page (duty, total, presence and shown rows in one statement), the page's load and
    # the caller's history (conversations' page figures), its mean ratings (evaluations', on a cold cache)
    with django_assert_max_num_queries(4):
        assert len(result_of(theday(client, size=100))) == 12


@pytest.mark.django_db
def test_theday_with_weekly_duty_writes_nothing(as_user, inst_admin, visitor, counselor):
    next_week = today() + timedelta(days=7)
    body = {"user": counselor.id, "weekDays": [next_week.isoweekday()], "userType": "COUNSELOR"}
    result_of(as_user(inst_admin).post("/arrange/batch", body, format="json"))
    client = as_user(visitor)  # signing in writes its token: outside the captured read
    with CaptureQueriesContext(connection) as queries:
        rows = result_of(theday(client, next_week))
    assert [row["userId"] for row in rows] == [counselor.id] and len(rows[0]["id"]) == 32
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == [] and not Arrangement.objects.exists()


@pytest.mark.django_db
def test_a_weekly_day_shows_the_weekly_row_over_a_work_slot(as_user, inst_admin, visitor, counselor):
    next_week = today() + timedelta(days=7)
    body = {"user": counselor.id, "weekDays": [next_week.isoweekday()], "userType": "COUNSELOR"}
    result_of(as_user(inst_admin).post("/arrange/batch", body, format="json"))
    slot = Arrangement.objects.create(
        user=counselor, type="COUNSELOR", date=next_week, start_time=time(9), end_time=time(10)
    )
    (row,) = result_of(theday(as_user(visitor), next_week))
    assert row["id"] != slot.id and row["startTime"] is None
    result_of(as_user(inst_admin).delete(f"/arrange/{row['id']}"))
    assert result_of(theday(as_user(visitor), next_week)) == []


@pytest.mark.django_db
def test_theday_lists_exactly_the_users_on_duty_by_the_orm_rule(as_user, inst_admin, ecnu):
    """The page's statement spells `selectors.on_duty` in SQL: both must list the same users, for every
    mix of day rows, work slots, removed days, weekly rules and leave."""
    day = today()
    start, end = day_bounds(day)
    kinds = itertools.product(
        (None, "COUNSELOR", "SUPERVISOR", "removed"),  # whole-day row
        (None, "COUNSELOR", "SUPERVISOR"),  # work slot
        (None, "COUNSELOR", "SUPERVISOR", "expired"),  # weekly rule of the day's weekday
        (False, True),  # leave overlapping the day
    )
    for index, (whole_day, slot, weekly, leave) in enumerate(kinds):
        user = make_user(UserType.COUNSELOR, inst=ecnu, approved=index % 17 != 3)
        if whole_day:
            Arrangement.objects.create(
                user=user,
                date=day,
                type=whole_day if whole_day != "removed" else "COUNSELOR",
                removed=whole_day == "removed",
            )
        if slot:
            Arrangement.objects.create(user=user, date=day, type=slot, start_time=time(9), end_time=time(10))
        if weekly:
            WeeklyDuty.objects.create(
                user=user,
                type="COUNSELOR" if weekly == "expired" else weekly,
                weekday=day.isoweekday(),
                valid_from=day - timedelta(days=14),
                valid_until=day - timedelta(days=1) if weekly == "expired" else None,
            )
        if leave:
            LeavePeriod.objects.create(
                user=user, start=start + timedelta(hours=20), end=end + timedelta(hours=1)
            )
        if index % 3 == 0:
            set_online(user)
    client = as_user(inst_admin)
    for duty_type in ("COUNSELOR", "SUPERVISOR"):
        listed = {row["userId"] for row in result_of(theday(client, user_type=duty_type, size=100))}
        expected = set(duty_users(day, duty_type=duty_type).values_list("pk", flat=True))
        assert listed == expected and listed
        # the other databases' path (ORM) answers the same records, shown rows included
        for state, offset, size in itertools.product((None, "online", "offline"), (0, 7, 500), (7, 100)):
            args = {"duty_type": duty_type, "state": state, "offset": offset, "size": size}
            assert _theday_records_sql(inst_admin, day, **args) == _theday_records_orm(
                inst_admin, day, **args
            )


@pytest.mark.django_db
def test_theday_rows_have_the_keys_of_the_schema(as_user, visitor, counselor):
    put_on_duty(counselor)
    (row,) = result_of(theday(as_user(visitor)))
    assert list(row) == list(TheDaySerializer().fields)

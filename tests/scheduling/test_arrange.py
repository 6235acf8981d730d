"""Duty days, weekly duty, one-day removal and the mini-program's on-duty list (seed §22–25, CONTRACT §6)."""

from datetime import timedelta

import pytest

from conversations.models import Conversation
from evaluations.models import Evaluation
from hotline.api.timeutil import today
from scheduling.models import Arrangement
from tests.helpers import day_ms, error_of, make_user, put_on_duty, result_of, set_online
from users.models import UserType


def arrange(client, users, day=None, user_type="COUNSELOR"):
    return client.put(
        "/arrange",
        {"timestamp": str(day_ms(day or today())), "users": [u.id for u in users], "type": user_type},
        format="json",
    )


def theday(client, day=None, user_type="COUNSELOR", **params):
    return client.get(
        "/arrange/theday", {"timestamp": day_ms(day or today(), hour=3), "type": user_type, **params}
    )


@pytest.mark.django_db
def test_put_arrange_answers_the_rows(as_user, inst_admin, counselor):
    day = today() + timedelta(days=3)
    rows = result_of(arrange(as_user(inst_admin), [counselor], day))
    assert len(rows) == 1
    row = rows[0]
    assert row["user"] == counselor.id and row["type"] == "COUNSELOR"
    assert (row["year"], row["month"], row["day"]) == (day.year, day.month, day.day)
    assert row["weekDay"] == day.isoweekday() and row["localDate"] == day.isoformat()
    assert row["startTime"] is None and row["endTime"] is None and len(row["id"]) == 32
    assert row["creator"] == inst_admin.id and isinstance(row["createTime"], int)


@pytest.mark.django_db
def test_repeating_put_arrange_creates_no_duplicates(as_user, inst_admin, counselor):
    first = result_of(arrange(as_user(inst_admin), [counselor]))
    second = result_of(arrange(as_user(inst_admin), [counselor, counselor]))
    assert [r["id"] for r in first] == [r["id"] for r in second]
    assert Arrangement.objects.filter(user=counselor).count() == 1


@pytest.mark.django_db
def test_arrange_uses_the_shanghai_day_of_the_timestamp(as_user, inst_admin, counselor):
    # 2021-12-01 00:00 in Shanghai is 2021-11-30 16:00 UTC: the seed's own example timestamp.
    rows = result_of(
        as_user(inst_admin).put(
            "/arrange",
            {"timestamp": "1638288000000", "users": [counselor.id], "type": "COUNSELOR"},
            format="json",
        )
    )
    assert rows[0]["localDate"] == "2021-12-01" and rows[0]["weekDay"] == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,message",
    [
        ({"timestamp": "1638288000000", "users": []}, "key [type] not optional"),
        ({"users": ["x"], "type": "COUNSELOR"}, "key [timestamp] not optional"),
        ({"timestamp": "yesterday", "users": ["x"], "type": "COUNSELOR"}, "[timestamp]"),
        ({"timestamp": 1, "users": [], "type": "COUNSELOR"}, "[users]"),
        ({"timestamp": 1, "users": ["x"], "type": "VISITOR"}, "[type]"),
    ],
)
def test_put_arrange_validates_input(as_user, inst_admin, body, message):
    assert message in error_of(as_user(inst_admin).put("/arrange", body, format="json"), 400, -2)


@pytest.mark.django_db
def test_put_arrange_checks_the_users_type(as_user, inst_admin, supervisor):
    assert "[users]" in error_of(arrange(as_user(inst_admin), [supervisor]), 400, -2)
    assert not Arrangement.objects.exists()


@pytest.mark.django_db
def test_users_of_another_institution_answer_404(as_user, other_admin, counselor):
    error_of(arrange(as_user(other_admin), [counselor]), 404, -4)
    error_of(
        as_user(other_admin).post(
            "/arrange/batch", {"user": counselor.id, "weekDays": [1], "userType": "COUNSELOR"}, format="json"
        ),
        404,
        -4,
    )
    assert not Arrangement.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [UserType.COUNSELOR, UserType.SUPERVISOR, UserType.VISITOR])
def test_only_administrators_arrange(as_user, ecnu, counselor, role):
    actor = make_user(role, inst=ecnu)
    error_of(arrange(as_user(actor), [counselor]), 403, -5)
    error_of(
        as_user(actor).post(
            "/arrange/batch", {"user": counselor.id, "weekDays": [1], "userType": "COUNSELOR"}, format="json"
        ),
        403,
        -5,
    )
    put_on_duty(counselor)
    error_of(as_user(actor).delete(f"/arrange/{Arrangement.objects.get().id}"), 403, -5)


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
    # caller, weekly-duty lookup (materialisation), count, the page with all its subqueries
    with django_assert_max_num_queries(5):
        assert len(result_of(theday(client, size=100))) == 12


@pytest.mark.django_db
def test_weekly_duty_applies_to_later_matching_weekdays(as_user, inst_admin, visitor, counselor):
    next_week = today() + timedelta(days=7)
    weekday = next_week.isoweekday()
    other_day = next_week + timedelta(days=1)
    body = {"user": counselor.id, "weekDays": [weekday], "userType": "COUNSELOR"}
    assert result_of(as_user(inst_admin).post("/arrange/batch", body, format="json")) == "ok"
    assert [r["userId"] for r in result_of(theday(as_user(visitor), next_week))] == [counselor.id]
    assert [r["userId"] for r in result_of(theday(as_user(visitor), next_week + timedelta(days=21)))] == [
        counselor.id
    ]
    assert result_of(theday(as_user(visitor), other_day)) == []


@pytest.mark.django_db
def test_weekly_duty_is_replaced_and_cleared(as_user, inst_admin, visitor, counselor):
    next_week = today() + timedelta(days=7)
    admin = as_user(inst_admin)
    result_of(
        admin.post(
            "/arrange/batch",
            {"user": counselor.id, "weekDays": [next_week.isoweekday()], "userType": "COUNSELOR"},
            format="json",
        )
    )
    result_of(theday(as_user(visitor), next_week))  # materialises that day
    other = (next_week.isoweekday() % 7) + 1
    result_of(
        admin.post(
            "/arrange/batch",
            {"user": counselor.id, "weekDays": [other], "userType": "COUNSELOR"},
            format="json",
        )
    )
    assert result_of(theday(as_user(visitor), next_week)) == []
    assert len(result_of(theday(as_user(visitor), next_week + timedelta(days=1)))) == 1
    result_of(
        admin.post(
            "/arrange/batch", {"user": counselor.id, "weekDays": [], "userType": "COUNSELOR"}, format="json"
        )
    )
    assert result_of(theday(as_user(visitor), next_week + timedelta(days=1))) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,field",
    [
        ({"weekDays": [1], "userType": "COUNSELOR"}, "user"),
        ({"user": "x", "weekDays": [0], "userType": "COUNSELOR"}, "weekDays"),
        ({"user": "x", "weekDays": [8], "userType": "COUNSELOR"}, "weekDays"),
        ({"user": "x", "weekDays": "1,2", "userType": "COUNSELOR"}, "weekDays"),
        ({"user": "x", "weekDays": [1]}, "userType"),
    ],
)
def test_batch_validates_input(as_user, inst_admin, body, field):
    assert f"[{field}]" in error_of(as_user(inst_admin).post("/arrange/batch", body, format="json"), 400, -2)


@pytest.mark.django_db
def test_deleting_a_weekly_day_removes_that_day_only(as_user, inst_admin, visitor, counselor):
    next_week = today() + timedelta(days=7)
    admin = as_user(inst_admin)
    result_of(
        admin.post(
            "/arrange/batch",
            {"user": counselor.id, "weekDays": [next_week.isoweekday()], "userType": "COUNSELOR"},
            format="json",
        )
    )
    row = result_of(theday(as_user(visitor), next_week))[0]
    assert result_of(admin.delete(f"/arrange/{row['id']}")) == "ok"
    assert result_of(theday(as_user(visitor), next_week)) == []
    assert len(result_of(theday(as_user(visitor), next_week + timedelta(days=7)))) == 1
    error_of(admin.delete(f"/arrange/{row['id']}"), 404, -4)
    # Arranging the day again puts the user back.
    result_of(arrange(admin, [counselor], next_week))
    assert len(result_of(theday(as_user(visitor), next_week))) == 1


@pytest.mark.django_db
def test_delete_arrangement_of_another_institution_is_404(as_user, other_admin, counselor):
    put_on_duty(counselor)
    arrangement = Arrangement.objects.get()
    error_of(as_user(other_admin).delete(f"/arrange/{arrangement.id}"), 404, -4)
    error_of(as_user(other_admin).delete("/arrange/" + "0" * 32), 404, -4)
    arrangement.refresh_from_db()
    assert not arrangement.removed


@pytest.mark.django_db
def test_explicit_day_survives_clearing_weekly_duty(as_user, inst_admin, visitor, counselor):
    next_week = today() + timedelta(days=7)
    admin = as_user(inst_admin)
    result_of(
        admin.post(
            "/arrange/batch",
            {"user": counselor.id, "weekDays": [next_week.isoweekday()], "userType": "COUNSELOR"},
            format="json",
        )
    )
    result_of(theday(as_user(visitor), next_week))  # the weekly day is materialised
    rows = result_of(arrange(admin, [counselor], next_week))
    assert rows[0]["lastUpdater"] == inst_admin.id
    result_of(
        admin.post(
            "/arrange/batch", {"user": counselor.id, "weekDays": [], "userType": "COUNSELOR"}, format="json"
        )
    )
    assert [r["userId"] for r in result_of(theday(as_user(visitor), next_week))] == [counselor.id]


@pytest.mark.django_db
def test_theday_state_offline(as_user, visitor, counselor, ecnu):
    offline = make_user(UserType.COUNSELOR, inst=ecnu, username="offline_one")
    put_on_duty(counselor, offline)
    set_online(counselor)
    assert [r["userId"] for r in result_of(theday(as_user(visitor), state="offline"))] == [offline.id]

"""Duty days (PUT /arrange), weekly duty (/arrange/batch) and one-day removal (DELETE /arrange/{id}) (seed §22–24, CONTRACT §6)."""

from datetime import timedelta

import pytest

from hotline.api.timeutil import today
from scheduling.models import Arrangement
from tests.helpers import error_of, make_user, put_on_duty, result_of
from tests.scheduling.helpers import arrange, theday
from users.models import UserType


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

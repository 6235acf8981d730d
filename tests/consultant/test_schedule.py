"""Work slots, the month view and leave periods, and their effect on hotline duty (seed 001 排班管理, CONTRACT §6, §9)."""

from datetime import date, timedelta

import pytest

from hotline.api.timeutil import today
from scheduling.models import Arrangement
from tests.consultant.helpers import W, set_day, ws_data, ws_error
from tests.helpers import day_ms, make_user, put_on_duty, result_of
from users.models import UserType
from users.tokens import token_pair


@pytest.mark.django_db
def test_leave_years_are_bounded(ws):
    body = {"stop_schedules": [{"start_time": "0001-01-01", "end_time": "2026-01-01"}]}
    assert "start_time" in ws_error(ws(f"{W}/schedule/stop/update", body), 400, -2)
    assert ws_data(ws(f"{W}/schedule/stop")) == []


@pytest.mark.django_db
def test_deleting_a_duty_row_takes_a_counselor_with_slots_off_duty(ws, ws_user, as_user, inst_admin, visitor):
    ws_user.institution = visitor.institution
    ws_user.save()
    ws_data(set_day(ws, today(), ["09:00-10:00", "14:00-15:00"]))
    params = {"timestamp": day_ms(today()), "type": "COUNSELOR"}
    row = result_of(as_user(inst_admin).get("/arrange/theday", params))[0]
    result_of(as_user(inst_admin).delete(f"/arrange/{row['id']}"))
    assert result_of(as_user(visitor).get("/arrange/theday", params)) == []
    response = as_user(visitor).put("/conversation", {"counselor": ws_user.id}, format="json")
    assert response.json()["code"] == -2


@pytest.mark.django_db
def test_month_view_leaves_out_disabled_staff(ws, ws_user, ecnu):
    from tests.helpers import make_user
    from users.models import UserType

    gone = make_user(UserType.COUNSELOR, inst=ecnu, name="停用")
    ws_data(set_day(ws, date(2026, 12, 3), ["09:00-10:00"], user=gone))
    gone.enabled = False
    gone.save()
    assert ws_data(ws(f"{W}/schedule/work", {"year": 2026, "month": 12})) == []


@pytest.mark.django_db
def test_work_slots_of_a_day_and_the_month_view(ws, ws_user, ecnu):
    day = date(2026, 12, 3)
    ws_data(set_day(ws, day, ["14:00-17:00", "09:00-12:00"]))
    colleague = make_user(UserType.COUNSELOR, inst=ecnu, name="同事")
    ws_data(set_day(ws, day, ["19:00-21:00"], user=colleague))
    month = ws_data(ws(f"{W}/schedule/work", {"year": "2026", "month": "12", "organization": "华东师范大学"}))
    assert [entry["date"] for entry in month] == [3]
    slots = month[0]["schedules"]
    assert [(s["name"], s["work_time"]) for s in slots] == [
        ("王咨询", "09:00-12:00"),
        ("王咨询", "14:00-17:00"),
        ("同事", "19:00-21:00"),
    ]
    assert all(isinstance(s["id"], int) for s in slots)
    ws_data(set_day(ws, day, []))
    month = ws_data(ws(f"{W}/schedule/work", {"year": 2026, "month": 12}))
    assert [s["name"] for s in month[0]["schedules"]] == ["同事"]


@pytest.mark.django_db
def test_month_view_is_only_the_callers_institution(ws, other_inst):
    stranger = make_user(UserType.COUNSELOR, inst=other_inst)
    ws_data(set_day(ws, date(2026, 12, 3), ["09:00-10:00"], user=stranger))
    assert ws_data(ws(f"{W}/schedule/work", {"year": 2026, "month": 12})) == []
    ws_error(ws(f"{W}/schedule/work", {"year": 2026, "month": 12, "organization": "上海交通大学"}), 403, -5)


@pytest.mark.django_db
def test_month_view_shows_hotline_duty_days(ws, ws_user, inst_admin, as_user):
    day = today() + timedelta(days=2)
    result_of(
        as_user(inst_admin).put(
            "/arrange", {"timestamp": day_ms(day), "users": [ws_user.id], "type": "COUNSELOR"}, format="json"
        )
    )
    month = ws_data(ws(f"{W}/schedule/work", {"year": day.year, "month": day.month}))
    entry = next(item for item in month if item["date"] == day.day)
    assert entry["schedules"][0]["work_time"] == "00:00-23:59"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slots,field",
    [
        (["9-12"], "work_schedules"),
        (["12:00-09:00"], "work_schedules"),
        (["09:00-12:00", "11:00-13:00"], "work_schedules"),
        (["25:00-26:00"], "work_schedules"),
    ],
)
def test_work_slots_are_checked(ws, slots, field):
    assert f"[{field}]" in ws_error(set_day(ws, date(2026, 12, 3), slots), 400, -2)


@pytest.mark.django_db
def test_day_must_exist(ws):
    assert "[date]" in ws_error(
        ws(f"{W}/schedule/work/update", {"year": 2026, "month": 2, "date": 30, "work_schedules": []}), 400, -2
    )


@pytest.mark.django_db
def test_only_own_schedule_can_be_changed(anon, ws_user, ecnu):
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    body = {
        "year": 2026,
        "month": 12,
        "date": 3,
        "user_id": other.id,
        "work_schedules": ["09:00-10:00"],
        "token": token_pair(ws_user)["access"],
    }
    ws_error(anon.post(f"{W}/schedule/work/update", body, format="json"), 401, 401)
    assert not Arrangement.objects.exists()


@pytest.mark.django_db
def test_leave_periods_are_overwritten_and_checked(ws):
    assert ws_data(ws(f"{W}/schedule/stop")) == []
    periods = [
        {"start_time": "2026-12-10 09:00:00", "end_time": "2026-12-12 18:00:00"},
        {"start_time": "2026-12-20", "end_time": "2026-12-20"},
    ]
    ws_data(ws(f"{W}/schedule/stop/update", {"stop_schedules": periods}))
    rows = ws_data(ws(f"{W}/schedule/stop"))
    assert rows == [
        {"name": "王咨询", "start_time": "2026-12-10 09:00:00", "end_time": "2026-12-12 18:00:00"},
        {"name": "王咨询", "start_time": "2026-12-20 00:00:00", "end_time": "2026-12-20 23:59:59"},
    ]
    ws_data(ws(f"{W}/schedule/stop/update", {"stop_schedules": periods[:1]}))
    assert len(ws_data(ws(f"{W}/schedule/stop"))) == 1
    reversed_period = [{"start_time": "2026-12-12 09:00", "end_time": "2026-12-10 09:00"}]
    assert "[stop_schedules[0]]" in ws_error(
        ws(f"{W}/schedule/stop/update", {"stop_schedules": reversed_period}), 400, -2
    )
    garbage = [{"start_time": "next week", "end_time": "2026-12-10"}]
    assert "start_time" in ws_error(ws(f"{W}/schedule/stop/update", {"stop_schedules": garbage}), 400, -2)
    assert len(ws_data(ws(f"{W}/schedule/stop"))) == 1  # nothing changed by the refused updates


@pytest.mark.django_db
def test_work_slots_put_a_counselor_on_hotline_duty(ws, ws_user, as_user, visitor):
    ws_user.institution = visitor.institution
    ws_user.save()
    day = today()
    assert (
        result_of(as_user(visitor).get("/arrange/theday", {"timestamp": day_ms(day), "type": "COUNSELOR"}))
        == []
    )
    ws_data(set_day(ws, day, ["00:00-23:00"]))
    rows = result_of(as_user(visitor).get("/arrange/theday", {"timestamp": day_ms(day), "type": "COUNSELOR"}))
    assert [row["userId"] for row in rows] == [ws_user.id]
    conversation = result_of(as_user(visitor).put("/conversation", {"counselor": ws_user.id}, format="json"))
    assert conversation["status"] == "IN_PROGRESS"


@pytest.mark.django_db
def test_a_counselor_on_leave_is_off_hotline_duty(ws, ws_user, as_user, visitor):
    put_on_duty(ws_user)
    day = today()
    ws_data(
        ws(
            f"{W}/schedule/stop/update",
            {
                "stop_schedules": [
                    {"start_time": f"{day - timedelta(days=1)} 08:00:00", "end_time": f"{day} 09:00:00"}
                ]
            },
        )
    )
    params = {"timestamp": day_ms(day), "type": "COUNSELOR"}
    assert result_of(as_user(visitor).get("/arrange/theday", params)) == []
    response = as_user(visitor).put("/conversation", {"counselor": ws_user.id}, format="json")
    assert response.status_code == 400 and response.json()["code"] == -2
    tomorrow = {"timestamp": day_ms(day + timedelta(days=1)), "type": "COUNSELOR"}
    put_on_duty(ws_user, day=day + timedelta(days=1))
    assert [row["userId"] for row in result_of(as_user(visitor).get("/arrange/theday", tomorrow))] == [
        ws_user.id
    ]


@pytest.mark.django_db
def test_month_view_expands_weekly_duty_without_writing(ws, ws_user, inst_admin, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monday = today() + timedelta(days=7 - today().weekday())  # next Monday
    body = {"user": ws_user.id, "weekDays": [1], "userType": "COUNSELOR"}
    result_of(as_user(inst_admin).post("/arrange/batch", body, format="json"))
    rows_before = Arrangement.objects.count()
    with CaptureQueriesContext(connection) as queries:
        month = ws_data(ws(f"{W}/schedule/work", {"year": monday.year, "month": monday.month}))
    assert not [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert Arrangement.objects.count() == rows_before
    entry = next(item for item in month if item["date"] == monday.day)
    assert [(s["name"], s["work_time"]) for s in entry["schedules"]] == [
        (ws_user.name or ws_user.username, "00:00-23:59")
    ]
    # Taking that one Monday off (the hotline's DELETE /arrange/{id}) removes it from the month view too.
    params = {"timestamp": day_ms(monday), "type": "COUNSELOR"}
    row = result_of(as_user(inst_admin).get("/arrange/theday", params))[0]
    result_of(as_user(inst_admin).delete(f"/arrange/{row['id']}"))
    month = ws_data(ws(f"{W}/schedule/work", {"year": monday.year, "month": monday.month}))
    assert all(item["date"] != monday.day for item in month)

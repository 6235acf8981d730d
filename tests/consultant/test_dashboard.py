"""Dashboard aggregates over the caller's orders (seed 001 首页, CONTRACT §9)."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from hotline.api.timeutil import today
from scheduling.models import Arrangement
from tests.consultant.helpers import W, make_order, ws_data
from tests.helpers import make_user
from users.models import UserType


@pytest.mark.django_db
def test_a_visitor_whose_orders_straddle_an_age_bucket_counts_once(ws, ws_user):
    make_order(ws_user, name="甲", contact="1", age=35, at=time(9))
    make_order(ws_user, name="甲", contact="1", age=36, at=time(9))
    assert ws_data(ws(f"{W}/dashboard/age-data")) == {"values": [0, 0, 0, 1, 0, 0]}


@pytest.mark.django_db
def test_dashboard_values(ws, ws_user, ecnu):
    year = today().year
    make_order(
        ws_user, name="甲", contact="1", gender="男", age=17, amount=1000, day=date(year, 1, 10), at=time(9)
    )
    make_order(
        ws_user,
        name="甲",
        contact="1",
        gender="男",
        age=17,
        amount=2000,
        day=date(year, 1, 20),
        at=time(9),
        kind="线下咨询",
    )
    make_order(
        ws_user, name="乙", contact="2", gender="女", age=55, amount=500, day=date(year, 3, 1), at=time(14)
    )
    make_order(
        ws_user,
        name="丙",
        contact="3",
        gender="女",
        age=56,
        day=date(year, 3, 2),
        at=time(14),
        committed=timezone.now() - timedelta(days=2),
    )
    make_order(
        ws_user,
        name="丁",
        contact="4",
        gender="男",
        age=30,
        day=date(year - 1, 12, 31),
        at=time(20),
        committed=timezone.now() - timedelta(days=400),
    )
    make_order(ws_user, name="拒", contact="5", gender="男", age=40, amount=9999, status="已拒绝", at=time(7))
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    make_order(other, name="别人", contact="9", age=30, amount=7777)
    Arrangement.objects.create(
        user=ws_user, type="COUNSELOR", date=today(), start_time=time(18), end_time=time(20)
    )

    def dash(name):
        return ws_data(ws(f"{W}/dashboard/{name}"))

    assert dash("today-transactions") == {"count": 3, "amount": 3500}
    assert dash("category-data") == {"online": 4, "outline": 1}
    yearly = dash("yearly-consultations")
    assert (
        yearly["total"] == 3
        and yearly["data"][0] == 2
        and yearly["data"][2] == 2
        and sum(yearly["data"]) == 4
    )
    assert dash("time-slot-data") == {"timeSlots": [9, 14, 18, 20], "appointments": [2, 2, 0, 1]}
    assert dash("gender-data") == {"male": 2, "female": 2}
    assert dash("age-data") == {"values": [1, 0, 1, 0, 1, 1]}


@pytest.mark.django_db
def test_dashboard_of_a_new_counselor_is_zero(ws):
    assert ws_data(ws(f"{W}/dashboard/today-transactions")) == {"count": 0, "amount": 0}
    assert ws_data(ws(f"{W}/dashboard/yearly-consultations")) == {"total": 0, "data": [0] * 12}
    assert ws_data(ws(f"{W}/dashboard/age-data")) == {"values": [0] * 6}
    assert ws_data(ws(f"{W}/dashboard/time-slot-data")) == {"timeSlots": [], "appointments": []}

"""Duty days are bounded: a far timestamp is a named 400, never an overflow or a row for year 9999."""

import pytest

from scheduling.models import Arrangement
from tests.helpers import error_of


@pytest.mark.django_db
@pytest.mark.parametrize("timestamp", ["253402271999998", "0", "-1", "946655999999", "4102416000000"])
def test_theday_refuses_a_day_outside_2000_to_2099(as_user, visitor, timestamp):
    response = as_user(visitor).get(f"/arrange/theday?timestamp={timestamp}&type=COUNSELOR")
    assert "[timestamp]" in error_of(response, 400, -2)


@pytest.mark.django_db
def test_arrange_refuses_a_far_day_and_writes_nothing(as_user, inst_admin, counselor):
    body = {"timestamp": 253402271999998, "users": [counselor.id], "type": "COUNSELOR"}
    assert "[timestamp]" in error_of(as_user(inst_admin).put("/arrange", body, format="json"), 400, -2)
    assert not Arrangement.objects.exists()

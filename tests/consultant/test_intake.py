"""Intake profiles of an order's visitor (/interview/records/personal-profile*, CONTRACT §9)."""

import pytest

from tests.consultant.helpers import W, order_body, ws_data, ws_error
from tests.helpers import make_user
from users.models import UserType


@pytest.mark.django_db
def test_intake_profile_starts_from_the_order_and_is_overwritten(ws, ecnu):
    order_id = ws(f"{W}/orders/create", order_body()).json()["id"]
    profile = ws_data(ws(f"{W}/interview/records/personal-profile", {"id": order_id}))
    assert profile["name"] == "张三" and profile["id"] == str(order_id) and profile["age"] == "20"
    assert (
        profile["emergencyContact"] == {"name": "", "relationship": "", "phone": ""} and profile["goal"] == ""
    )
    written = {
        "name": "张三",
        "gender": "男",
        "age": "20",
        "education": "本科",
        "occupation": "学生",
        "maritalStatus": "未婚",
        "contact": "13800000000",
        "emergencyContact": {"name": "张父", "relationship": "父亲", "phone": "13900000000"},
        "referral": "辅导员转介",
        "complaint": "失眠",
        "goal": "改善睡眠",
    }
    ws_data(ws(f"{W}/interview/records/personal-profile/update", {"id": order_id, "profile": written}))
    profile = ws_data(ws(f"{W}/interview/records/personal-profile", {"id": order_id}))
    assert profile["emergencyContact"]["relationship"] == "父亲" and profile["complaint"] == "失眠"
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    ws_error(ws(f"{W}/interview/records/personal-profile", {"id": order_id}, user=other), 404, -4)

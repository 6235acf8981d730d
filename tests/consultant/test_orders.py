"""Consultation orders: create, list with filters and paging, the status lifecycle (seed 001 咨询列表, CONTRACT §9)."""

from datetime import date

import pytest

from consultant.models import Order
from tests.consultant.helpers import W, order_body, ws_data, ws_error
from tests.helpers import make_user
from users.models import UserType


@pytest.mark.django_db
def test_seed_paging_example_and_status_spelling(ws):
    ws_data(ws(f"{W}/orders/create", order_body()))
    assert ws_data(ws(f"{W}/orders", {"page": 0, "pageSize": 0}))["total"] == 1
    assert ws_data(ws(f"{W}/orders", {"status": "咨询师中"}))["total"] == 0
    assert len(ws_data(ws(f"{W}/user/comments", {"page": 0, "pageSize": 0}))) == 0


@pytest.mark.django_db
def test_create_and_list_orders(ws):
    created = ws(f"{W}/orders/create", order_body(amount=5000))
    body = created.json()
    assert created.status_code == 200 and body["code"] == 0 and isinstance(body["id"], int)
    data = ws_data(ws(f"{W}/orders", {"page": 1, "pageSize": 10}))
    assert data["total"] == 1
    row = data["data"][0]
    assert row["id"] == body["id"] and row["order_id"].startswith("ZX") and row["status"] == "待接单"
    assert row["age"] == "20" and row["key_word"] == ["焦虑", "失眠"] and row["time"] == "14:30"
    assert row["finish_time"] == "" and row["amount"] == 5000 and len(row["commit_time"]) == 19
    assert set(row) >= {
        "id",
        "order_id",
        "gender",
        "age",
        "type",
        "key_word",
        "date",
        "time",
        "commit_time",
        "finish_time",
        "status",
        "contact",
        "name",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"age": "old"}, "age"),
        ({"age": 0}, "age"),
        ({"gender": "X"}, "gender"),
        ({"type": "电话咨询"}, "type"),
        ({"date": "2026/01/01"}, "date"),
        ({"time": "25:00"}, "time"),
        ({"key_word": "焦虑"}, "key_word"),
        ({"name": ""}, "name"),
        ({"amount": -1}, "amount"),
    ],
)
def test_create_order_validates(ws, overrides, field):
    assert f"[{field}]" in ws_error(ws(f"{W}/orders/create", order_body(**overrides)), 400, -2)


@pytest.mark.django_db
def test_order_filters_and_paging(ws, ws_user):
    for name, kind, day in [
        ("张三", "在线咨询", date(2026, 3, 1)),
        ("张四", "线下咨询", date(2026, 3, 5)),
        ("李五", "在线咨询", date(2026, 3, 9)),
    ]:
        ws_data(ws(f"{W}/orders/create", order_body(name=name, type=kind, date=day.isoformat())))

    def names(**filters):
        return sorted(row["name"] for row in ws_data(ws(f"{W}/orders", filters))["data"])

    assert names(name="张") == ["张三", "张四"]
    assert names(type="线下咨询") == ["张四"]
    assert names(date_start="2026-03-05", date_end="2026-03-09") == ["张四", "李五"]
    assert names(date_start="2026-03-05", date_end="2026-03-05") == ["张四"]
    assert names(status="待接单", name="", type="", date_start="", date_end="") == ["张三", "张四", "李五"]
    assert names(status="已拒绝") == []
    page = ws_data(ws(f"{W}/orders", {"page": 2, "pageSize": 2}))
    assert page["total"] == 3 and len(page["data"]) == 1
    assert "[status]" in ws_error(ws(f"{W}/orders", {"status": "进行中"}), 400, -2)
    assert "[date_start]" in ws_error(ws(f"{W}/orders", {"date_start": "March"}), 400, -2)


@pytest.mark.django_db
def test_a_counselor_sees_only_its_own_orders(ws, ws_user, ecnu):
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    own_id = ws(f"{W}/orders/create", order_body()).json()["id"]
    ws(f"{W}/orders/create", order_body(name="别人的"), user=other)
    assert [row["name"] for row in ws_data(ws(f"{W}/orders"))["data"]] == ["张三"]
    ws_error(ws(f"{W}/orders/accept", {"id": own_id}, user=other), 404, -4)
    assert Order.objects.get(pk=own_id).status == "待接单"


@pytest.mark.django_db
def test_order_lifecycle(ws):
    order_id = ws(f"{W}/orders/create", order_body()).json()["id"]
    assert "待接单" in ws_error(ws(f"{W}/orders/start", {"id": order_id}), 400, -2)
    assert ws_data(ws(f"{W}/orders/accept", {"id": order_id}))["status"] == "等待中"
    assert ws_data(ws(f"{W}/orders/start", {"id": order_id}))["status"] == "咨询中"
    assert "咨询中" in ws_error(ws(f"{W}/orders/reject", {"id": order_id}), 400, -2)
    finished = ws_data(ws(f"{W}/orders/finish", {"id": order_id}))
    assert finished["status"] == "已结束" and finished["finish_time"]
    assert "已结束" in ws_error(ws(f"{W}/orders/finish", {"id": order_id}), 400, -2)


@pytest.mark.django_db
@pytest.mark.parametrize("accept_first", [False, True])
def test_reject_from_pending_or_waiting(ws, accept_first):
    order_id = ws(f"{W}/orders/create", order_body()).json()["id"]
    if accept_first:
        ws_data(ws(f"{W}/orders/accept", {"id": order_id}))
    assert ws_data(ws(f"{W}/orders/reject", {"id": order_id}))["status"] == "已拒绝"
    assert "已拒绝" in ws_error(ws(f"{W}/orders/accept", {"id": order_id}), 400, -2)


@pytest.mark.django_db
def test_order_action_validates_id(ws):
    assert ws_error(ws(f"{W}/orders/accept", {}), 400, -2) == "key [id] not optional"
    ws_error(ws(f"{W}/orders/accept", {"id": 999999}), 404, -4)

"""The capacity rule under simultaneous requests, over real HTTP against a live server on PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import requests

from conversations.models import Conversation
from tests.helpers import make_user, put_on_duty
from users.models import UserType
from users.tokens import token_pair


@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_visitors_fill_exactly_max_consults(http_server, ecnu):
    counselor = make_user(UserType.COUNSELOR, inst=ecnu, username="busy_counselor", max_consults=3)
    put_on_duty(counselor)
    tokens = [token_pair(make_user(UserType.VISITOR, inst=ecnu))["access"] for _ in range(30)]
    barrier = Barrier(len(tokens))

    def ask(token):
        barrier.wait()
        response = requests.put(
            f"{http_server}/conversation",
            json={"counselor": counselor.id},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        answers = list(pool.map(ask, tokens))

    assert all(status == 200 and body["code"] == 0 for status, body in answers), answers
    statuses = [body["result"]["status"] for _, body in answers]
    assert statuses.count("IN_PROGRESS") == 3 and statuses.count("WAITING") == 27
    assert Conversation.objects.filter(counselor=counselor).count() == 30
    assert Conversation.objects.filter(counselor=counselor, status="IN_PROGRESS").count() == 3
    positions = sorted(
        body["result"]["queuePosition"] for _, body in answers if body["result"]["status"] == "WAITING"
    )
    assert positions == list(range(1, 28))


@pytest.mark.django_db(transaction=True)
def test_one_visitor_clicking_many_times_gets_one_conversation(http_server, ecnu):
    counselor = make_user(UserType.COUNSELOR, inst=ecnu, username="c_one")
    put_on_duty(counselor)
    token = token_pair(make_user(UserType.VISITOR, inst=ecnu))["access"]
    barrier = Barrier(10)

    def ask(_):
        barrier.wait()
        return requests.put(
            f"{http_server}/conversation",
            json={"counselor": counselor.id},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ).json()

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(ask, range(10)))
    assert {body["result"]["id"] for body in answers} == {Conversation.objects.get().id}


def test_saving_the_same_work_day_twice_at_once_keeps_one_set(http_server, ecnu):
    counselor = make_user(UserType.COUNSELOR, inst=ecnu, username="double_click")
    token = token_pair(counselor)["access"]
    barrier = Barrier(8)
    body = {
        "userID": counselor.id,
        "token": token,
        "year": 2026,
        "month": 4,
        "date": 4,
        "work_schedules": ["10:00-11:00"],
    }

    def save(_):
        barrier.wait()
        return requests.post(
            f"{http_server}/api/consultant/schedule/work/update", json=body, timeout=60
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(save, range(8)))
    assert statuses == [200] * 8
    from scheduling.models import Arrangement

    assert Arrangement.objects.filter(user=counselor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_urgent_burst_transfers_and_ends_at_once_keep_capacity_and_crisis_order(http_server, ecnu):
    """Urgent and routine visitors at once, then transfers to a second counsellor racing with ends:
    every counsellor ends exactly at capacity, HIGH sessions ahead of routine ones, no deadlock."""
    a = make_user(UserType.COUNSELOR, inst=ecnu, username="care_a", max_consults=2)
    b = make_user(UserType.COUNSELOR, inst=ecnu, username="care_b", max_consults=2)
    put_on_duty(a, b)
    tokens = [token_pair(make_user(UserType.VISITOR, inst=ecnu))["access"] for _ in range(16)]
    barrier = Barrier(len(tokens))

    def ask(index):
        barrier.wait()
        return requests.put(
            f"{http_server}/conversation",
            json={"counselor": a.id, "urgent": index % 3 == 0},
            headers={"Authorization": f"Bearer {tokens[index]}"},
            timeout=60,
        ).json()

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        answers = list(pool.map(ask, range(len(tokens))))
    assert all(body["code"] == 0 for body in answers), answers
    assert Conversation.objects.filter(counselor=a, status="IN_PROGRESS").count() == 2
    staff = token_pair(a)["access"]
    listed = requests.get(
        f"{http_server}/conversation/consultlist",
        params={"status": "WAITING", "size": 100},
        headers={"Authorization": f"Bearer {staff}"},
        timeout=60,
    ).json()["result"]
    waiting = sorted(listed, key=lambda row: row["queuePosition"])
    levels = [row["riskLevel"] for row in waiting]
    assert levels == sorted(levels, key=lambda level: level != "HIGH")  # HIGH first
    assert [row["queuePosition"] for row in waiting] == list(range(1, 15))
    assert levels.count("HIGH") == 6 - sum(
        1 for row in Conversation.objects.filter(counselor=a, status="IN_PROGRESS", risk_level="HIGH")
    )
    running = list(
        Conversation.objects.filter(counselor=a, status="IN_PROGRESS").values_list("pk", flat=True)
    )
    moves = [row["id"] for row in waiting[:6]]
    calls = [("transfer", pk) for pk in moves] + [("end", pk) for pk in running]
    barrier = Barrier(len(calls))

    def act(call):
        kind, pk = call
        barrier.wait()
        url = (
            f"{http_server}/conversation/{pk}/transfer"
            if kind == "transfer"
            else f"{http_server}/conversation/end/{pk}"
        )
        body = {"counselor": b.id} if kind == "transfer" else {}
        return requests.post(url, json=body, headers={"Authorization": f"Bearer {staff}"}, timeout=60)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        results = list(pool.map(act, calls))
    assert all(r.status_code in (200, 400) for r in results), [r.text for r in results]
    assert all(r.status_code == 200 for r in results[len(moves) :])  # the ends
    assert Conversation.objects.filter(counselor=a, status="IN_PROGRESS").count() == 2
    assert Conversation.objects.filter(counselor=b, status="IN_PROGRESS").count() == 2
    moved = Conversation.objects.filter(counselor=b)
    assert moved.count() == sum(r.status_code == 200 for r in results[: len(moves)])
    assert all(c.transferred_from_id in moves for c in moved)

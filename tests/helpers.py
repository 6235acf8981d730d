"""Client-side helpers: call the API as the mini-program or console would and check the envelope."""

import hashlib
import itertools

from rest_framework.test import APIClient

from users.models import Institution, User, UserType
from users.tokens import token_pair

_counter = itertools.count(1)


def md5(plain):
    return hashlib.md5(plain.encode()).hexdigest()


def institution(code="ecnu", name=None):
    inst, _ = Institution.objects.get_or_create(code=code, defaults={"name": name or code})
    return inst


def make_user(user_type=UserType.COUNSELOR, *, inst=None, username=None, password="secret123", **fields):
    inst = inst or institution()
    username = username or f"{user_type.lower()}{next(_counter)}"
    user = User(username=username, type=user_type, institution=inst, state="NORMAL", **fields)
    user.set_password(md5(password))
    user.save(force_insert=True)
    return user


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair(user)['access']}")
    return client


def result_of(response, status=200):
    """Assert a success envelope and return its `result`."""
    body = response.json()
    assert response.status_code == status, (response.status_code, body)
    assert body["code"] == 0 and body["message"] == "OK", body
    return body["result"]


def error_of(response, status, code):
    """Assert an error envelope with this HTTP status and code; return its message."""
    body = response.json()
    assert response.status_code == status, (response.status_code, body)
    assert body["code"] == code, body
    assert body["result"] is None, body
    assert isinstance(body["message"], str) and body["message"], body
    return body["message"]


def put_on_duty(*users, day=None):
    """Setup shortcut: whole-day duty rows for today (the API path is tested in tests/scheduling)."""
    from hotline.api.timeutil import today
    from scheduling.models import Arrangement

    for user in users:
        Arrangement.objects.get_or_create(
            user=user, date=day or today(), start_time=None, defaults={"type": user.type}
        )


def set_online(*users, online=True):
    from scheduling.models import Presence

    for user in users:
        Presence.objects.update_or_create(
            identifier=user.username, defaults={"online": online, "action": "Login"}
        )


def day_ms(day, hour=12):
    """Epoch ms of `hour`:00 on an Asia/Shanghai calendar day."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    return int(datetime.combine(day, time(hour), tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000)

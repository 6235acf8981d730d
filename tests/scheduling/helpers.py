"""Request shortcuts of the duty tests."""

from hotline.api.timeutil import today
from tests.helpers import day_ms


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

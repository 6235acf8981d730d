import re

import pytest
from django.core import mail

from tests.helpers import make_user
from users.models import UserType
from users.tokens import token_pair


def last_code():
    """The code in the newest email sent through Django's test mail outbox."""
    return re.search(r"验证码是(\d{6})", mail.outbox[-1].body).group(1)


@pytest.fixture
def ws_user(ecnu):
    return make_user(
        UserType.COUNSELOR,
        inst=ecnu,
        username="wsuser",
        password="",
        name="王咨询",
        email="wang@example.com",
        phone_number="13900001111",
    )


@pytest.fixture
def ws(anon, ws_user):
    """Call the workspace as `ws_user`: JSON body with userID and token."""
    token = token_pair(ws_user)["access"]

    def call(path, body=None, user=None, **kwargs):
        payload = {
            "userID": (user or ws_user).id,
            "token": token if user is None else token_pair(user)["access"],
        }
        payload.update(body or {})
        return anon.post(path, payload, format="json", **kwargs)

    return call

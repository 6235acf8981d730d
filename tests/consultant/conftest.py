"""Workspace fixtures: a counsellor and clients calling the workspace as it does."""

import pytest

from tests.helpers import make_user
from users.models import UserType
from users.tokens import token_pair


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


@pytest.fixture
def multipart(anon, ws_user):
    token = token_pair(ws_user)["access"]

    def post(path, fields=None, user=None):
        body = {"token": token if user is None else token_pair(user)["access"], **(fields or {})}
        return anon.post(path, body, format="multipart")

    return post


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

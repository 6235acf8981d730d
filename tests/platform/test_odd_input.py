"""Odd path values and JSON bodies answer an error envelope, never a crash."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,path",
    [
        ("post", "/user/ban/%00"),
        ("post", "/user/active/%00"),
        ("delete", "/user/ms/counselor/%00"),
        ("delete", "/arrange/%00"),
        ("post", "/conversation/end/%00"),
        ("delete", "/conversation/%00"),
        ("get", "/message/conversation/web?conversationId=%00"),
        ("post", "/user/ban/not-an-id"),
    ],
)
def test_odd_path_values_never_crash(as_user, sysadmin, method, path):
    response = getattr(as_user(sysadmin), method)(path)
    assert response.status_code in (400, 404) and response.json()["code"] in (-2, -4)


@pytest.mark.django_db
def test_lone_surrogates_in_json_are_refused_not_crashed(as_user, inst_admin, anon):
    body = '["\\ud800"]'
    response = as_user(inst_admin).post(
        "/conversation/batchexport", data=body, content_type="application/json"
    )
    assert response.status_code in (400, 404) and response.json()["code"] in (-2, -4)
    response = anon.post(
        "/api/consultant/user/profile",
        data='{"token": "\\ud800", "userID": "x"}',
        content_type="application/json",
    )
    assert response.status_code == 401 and response.json()["code"] == 401

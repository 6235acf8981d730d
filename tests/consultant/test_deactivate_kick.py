"""A workspace deactivation sends the same `user_disabled` hook as a ban: the account is kicked from the
IM service after commit (issue 12 item 4)."""

import pytest

from tests.consultant.helpers import W, last_code, ws_data


@pytest.mark.django_db
def test_deactivation_kicks_the_account(anon, ws, ws_user, tim, django_capture_on_commit_callbacks):
    ws_data(anon.post(f"{W}/auth/email", {"email": "wang@example.com"}, format="json"))
    body = {"accountType": "email", "account": "wang@example.com", "verificationCode": last_code()}
    with django_capture_on_commit_callbacks(execute=True):
        ws_data(ws(f"{W}/auth/deactivate", body))
    assert tim.kicked == [{"UserID": "wsuser"}]

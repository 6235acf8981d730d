"""A workspace deactivation sends the same `user_disabled` hook as a ban: the account is kicked from the
IM service by a background job enqueued with the deactivation (issue 12 item 4)."""

from tests.consultant.helpers import W, last_code, ws_data


def test_deactivation_kicks_the_account(anon, ws, ws_user, tim, job_queue):
    ws_data(anon.post(f"{W}/auth/email", {"email": "wang@example.com"}, format="json"))
    body = {"accountType": "email", "account": "wang@example.com", "verificationCode": last_code()}
    ws_data(ws(f"{W}/auth/deactivate", body))
    job_queue.run()
    assert tim.kicked == [{"UserID": "wsuser"}]

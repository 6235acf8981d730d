"""A workspace deactivation sends the same `user_disabled` hook as a ban: the account is kicked from the
IM service by a background job enqueued with the deactivation (issue 12 item 4); a self-registration is
imported by one (issue 14)."""

from tests.consultant.helpers import W, last_code, ws_data


def test_deactivation_kicks_the_account(anon, ws, ws_user, tim, job_queue):
    ws_data(anon.post(f"{W}/auth/email", {"email": "wang@example.com"}, format="json"))
    body = {"accountType": "email", "account": "wang@example.com", "verificationCode": last_code()}
    ws_data(ws(f"{W}/auth/deactivate", body))
    job_queue.run()
    assert tim.kicked == [{"UserID": "wsuser"}]


def test_self_registration_imports_the_account(anon, ecnu, tim, job_queue):
    ws_data(anon.post(f"{W}/auth/email", {"email": "new@example.com"}, format="json"))
    body = {
        "userName": "newcounselor",
        "account": "new@example.com",
        "accountType": "email",
        "password": "abc12345",
        "verificationCode": last_code(),
    }
    ws_data(anon.post(f"{W}/auth/register", body, format="json"))
    assert job_queue.job("messages.import_im_account").status == "todo"
    job_queue.run()
    assert [item["UserID"] for item in tim.imported] == ["newcounselor"]

"""WeChat sign-in and phone numbers against a local server speaking WeChat's protocol."""

import pytest

from tests.fakes.wechat import encrypt_for_wechat
from tests.helpers import error_of, result_of
from users.models import User, UserType
from users.wechat import decrypt_user_data

APPID = "wx4f4bc4dec97d474b"
SESSION_KEY = "tiihtNczf5v6AKRyjwEUhQ=="
VECTOR_IV = "r7BXXKkLb8qrSNn05n0qiA=="
VECTOR_DATA = (
    "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6"
    "OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/"
    "YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJ"
    "AYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0"
    "IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew=="
)
OPENID = "oGZUI0egBJY1zhBYw2KhdUfwVJJE"


def wx_login(client, code, appid=APPID):
    return client.post(f"/auth/wx/{appid}/login?code={code}")


def test_decrypt_matches_the_published_vector():
    data = decrypt_user_data(SESSION_KEY, VECTOR_DATA, VECTOR_IV, APPID)
    assert data["openId"] == OPENID and data["nickName"] == "Band"
    assert data["watermark"] == {"timestamp": 1477314187, "appid": APPID}


@pytest.mark.django_db
def test_first_login_creates_a_visitor_in_the_apps_institution(anon, wechat, ecnu):
    wechat.sessions["code-1"] = {"openid": OPENID, "session_key": SESSION_KEY}
    pair = result_of(wx_login(anon, "code-1"))
    visitor = User.objects.get(username=OPENID)
    assert visitor.type == UserType.VISITOR and visitor.institution == ecnu and visitor.open_id == OPENID
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    me = result_of(anon.get("/auth/me"))
    assert me["roles"] == "ROLE_VISITOR" and me["openId"] == OPENID
    assert SESSION_KEY not in str(me) and SESSION_KEY not in str(pair)
    _, path, query = wechat.requests[-1]
    assert path == "/sns/jscode2session" and query["js_code"] == "code-1" and query["secret"] == "app-secret"


@pytest.mark.django_db
def test_second_login_finds_the_same_visitor(anon, wechat):
    wechat.sessions["a"] = {"openid": OPENID, "session_key": SESSION_KEY}
    wechat.sessions["b"] = {"openid": OPENID, "session_key": "AAAAAAAAAAAAAAAAAAAAAA==", "unionid": "u1"}
    result_of(wx_login(anon, "a"))
    result_of(wx_login(anon, "b"))
    visitor = User.objects.get(username=OPENID)
    assert User.objects.filter(open_id=OPENID).count() == 1
    assert visitor.wx_session_key == "AAAAAAAAAAAAAAAAAAAAAA==" and visitor.union_id == "u1"


@pytest.mark.django_db
def test_app_without_institution_uses_the_default(anon, wechat, settings):
    wechat.sessions["c"] = {"openid": "openid-second", "session_key": SESSION_KEY}
    result_of(wx_login(anon, "c", appid="wxsecondapp000001"))
    assert User.objects.get(username="openid-second").institution.code == settings.DEFAULT_INSTITUTION


@pytest.mark.django_db
def test_invalid_code_reaches_the_client_like_the_seed(anon, wechat):
    message = error_of(wx_login(anon, "bad-code"), 400, -2)
    assert "40029" in message and "invalid code" in message


@pytest.mark.django_db
def test_missing_code_and_unknown_appid(anon, wechat):
    assert error_of(anon.post(f"/auth/wx/{APPID}/login"), 400, -2) == "key [code] not optional"
    assert "wxunknown" in error_of(wx_login(anon, "x", appid="wxunknown"), 400, -2)


@pytest.mark.django_db
def test_wrong_secret_is_a_provider_failure(anon, wechat, settings):
    settings.WECHAT_APPS = f"{APPID}:not-the-secret"
    message = error_of(wx_login(anon, "x"), 502, -1)
    assert "40125" in message


@pytest.mark.django_db
def test_unreachable_wechat_answers_502(anon, wechat, settings):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9"
    error_of(wx_login(anon, "x"), 502, -1)


@pytest.mark.django_db
def test_banned_visitor_gets_403(anon, wechat, as_user, inst_admin):
    wechat.sessions["a"] = {"openid": OPENID, "session_key": SESSION_KEY}
    result_of(wx_login(anon, "a"))
    result_of(as_user(inst_admin).post(f"/user/ban/{User.objects.get(username=OPENID).id}"))
    error_of(wx_login(anon, "a"), 403, -5)


def _visitor_client(anon, wechat, code="login-code"):
    wechat.sessions[code] = {"openid": OPENID, "session_key": SESSION_KEY}
    pair = result_of(wx_login(anon, code))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    return anon


@pytest.mark.django_db
def test_phone_from_encrypted_data_is_stored(anon, wechat):
    client = _visitor_client(anon, wechat)
    encrypted, iv = encrypt_for_wechat(
        SESSION_KEY,
        {
            "phoneNumber": "18501799792",
            "purePhoneNumber": "18501799792",
            "countryCode": "86",
            "watermark": {"timestamp": 1700000000, "appid": APPID},
        },
    )
    assert (
        result_of(
            client.post(f"/wx/user/{APPID}/phone", {"encryptedData": encrypted, "iv": iv}, format="json")
        )
        == "18501799792"
    )
    assert User.objects.get(username=OPENID).phone_number == "18501799792"
    assert result_of(client.get("/auth/me"))["phoneNumber"] == "18501799792"


@pytest.mark.django_db
def test_phone_parameters_may_come_in_the_query_string(anon, wechat):
    client = _visitor_client(anon, wechat)
    encrypted, iv = encrypt_for_wechat(
        SESSION_KEY, {"purePhoneNumber": "13912345678", "watermark": {"appid": APPID}}
    )
    response = client.post(
        f"/wx/user/{APPID}/phone", QUERY_STRING=f"encryptedData={encrypted}&iv={iv}".replace("+", "%2B")
    )
    assert result_of(response) == "13912345678"


@pytest.mark.django_db
def test_phone_with_foreign_watermark_is_refused(anon, wechat):
    client = _visitor_client(anon, wechat)
    encrypted, iv = encrypt_for_wechat(SESSION_KEY, {"phoneNumber": "1", "watermark": {"appid": "wxother"}})
    assert "watermark" in error_of(
        client.post(f"/wx/user/{APPID}/phone", {"encryptedData": encrypted, "iv": iv}, format="json"), 400, -2
    )


@pytest.mark.django_db
def test_phone_decryption_failures_are_400(anon, wechat):
    client = _visitor_client(anon, wechat)
    encrypted, iv = encrypt_for_wechat(
        "AAAAAAAAAAAAAAAAAAAAAA==", {"phoneNumber": "1", "watermark": {"appid": APPID}}
    )
    error_of(
        client.post(f"/wx/user/{APPID}/phone", {"encryptedData": encrypted, "iv": iv}, format="json"), 400, -2
    )
    assert "[iv]" in error_of(
        client.post(f"/wx/user/{APPID}/phone", {"encryptedData": encrypted, "iv": "%%%"}, format="json"),
        400,
        -2,
    )
    assert "[encryptedData]" in error_of(
        client.post(f"/wx/user/{APPID}/phone", {"iv": iv}, format="json"), 400, -2
    )
    # The vector decrypts fine but carries no phone number.
    vector = client.post(
        f"/wx/user/{APPID}/phone", {"encryptedData": VECTOR_DATA, "iv": VECTOR_IV}, format="json"
    )
    assert "手机号" in error_of(vector, 400, -2)


@pytest.mark.django_db
def test_phone_by_code_uses_a_cached_access_token(anon, wechat):
    client = _visitor_client(anon, wechat)
    wechat.phone_codes["p1"] = "13700000001"
    wechat.phone_codes["p2"] = "13700000002"
    assert result_of(client.post(f"/wx/user/{APPID}/phone", {"code": "p1"}, format="json")) == "13700000001"
    assert result_of(client.post(f"/wx/user/{APPID}/phone", {"code": "p2"}, format="json")) == "13700000002"
    assert wechat.token_requests == 1
    error_of(client.post(f"/wx/user/{APPID}/phone", {"code": "p1"}, format="json"), 400, -2)


@pytest.mark.django_db
def test_phone_by_code_refreshes_a_revoked_token(anon, wechat):
    client = _visitor_client(anon, wechat)
    wechat.phone_codes["p1"] = "13700000001"
    wechat.tokens[APPID] = "rotated-elsewhere"
    from users.models import WechatAccessToken

    WechatAccessToken.objects.update_or_create(
        appid=APPID, defaults={"token": "stale", "expires_at": "2999-01-01T00:00:00Z"}
    )
    assert result_of(client.post(f"/wx/user/{APPID}/phone", {"code": "p1"}, format="json")) == "13700000001"


@pytest.mark.django_db
def test_phone_requires_sign_in_and_a_known_app(anon, wechat, as_user, counselor):
    error_of(anon.post(f"/wx/user/{APPID}/phone", {"code": "x"}, format="json"), 401, 401)
    error_of(as_user(counselor).post("/wx/user/wxunknown/phone", {"code": "x"}, format="json"), 400, -2)
    message = error_of(
        as_user(counselor).post(
            f"/wx/user/{APPID}/phone", {"encryptedData": "AAAA", "iv": "AAAA"}, format="json"
        ),
        400,
        -2,
    )
    assert "微信会话" in message

"""Users' phone and ID numbers, emergency contacts and WeChat session keys encrypted at rest (issue 12):
they round-trip through the API, the columns hold Fernet tokens, lookups go through the keyed hash."""

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, transaction

from hotline.crypto import blind_index
from tests.consultant.helpers import W, ws_data, ws_error
from tests.encryption import assert_ciphertext, stored
from tests.fakes.wechat import encrypt_for_wechat
from tests.helpers import error_of, make_user, md5, result_of
from users.models import User, UserType

APPID = "wx4f4bc4dec97d474b"
SESSION_KEY = "tiihtNczf5v6AKRyjwEUhQ=="

# ---- users --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_visitor_phone_contacts_and_session_key_round_trip_and_are_encrypted(anon, wechat):
    wechat.sessions["code"] = {"openid": "openid-enc", "session_key": SESSION_KEY}
    pair = result_of(anon.post(f"/auth/wx/{APPID}/login?code=code"))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    phone = {"phoneNumber": "18501799792", "purePhoneNumber": "18501799792", "watermark": {"appid": APPID}}
    encrypted, iv = encrypt_for_wechat(SESSION_KEY, phone)
    # The stored (encrypted) session key still decrypts WeChat's data.
    assert result_of(
        anon.post(f"/wx/user/{APPID}/phone", {"encryptedData": encrypted, "iv": iv}, format="json")
    ) == ("18501799792")
    result_of(
        anon.post(
            "/user/update", {"emergencyContact": "张母", "emergencyPhone": "13900000000"}, format="json"
        )
    )
    me = result_of(anon.get("/auth/me"))
    assert (me["phoneNumber"], me["emergencyContact"], me["emergencyPhone"]) == (
        "18501799792",
        "张母",
        "13900000000",
    )
    user = User.objects.get(username="openid-enc")
    row = stored(User, user.pk, "phone_number", "emergency_contact", "emergency_phone", "wx_session_key")
    assert_ciphertext(row, "18501799792", "张母", "13900000000", SESSION_KEY)
    assert stored(User, user.pk, "phone_hash")["phone_hash"] == blind_index("18501799792")


@pytest.mark.django_db
def test_staff_id_number_round_trips_and_empty_values_stay_empty(as_user, inst_admin):
    body = {
        "username": "enc_counselor",
        "password": md5("pw-123456"),
        "name": "蒋先杰",
        "gender": "男",
        "phoneNumber": "18846837114",
        "idNumber": "421124199306160784",
        "department": "华泉",
        "title": "11",
    }
    admin = as_user(inst_admin)
    result_of(admin.put("/user/ms/counselor", body, format="json"))
    row = next(r for r in result_of(admin.get("/user/ms/counselor/list")) if r["username"] == "enc_counselor")
    assert row["phoneNumber"] == "18846837114" and row["idNumber"] == "421124199306160784"
    assert row["emergencyPhone"] is None  # never set: stored "" and shown as the seed shows it
    user = User.objects.get(username="enc_counselor")
    assert_ciphertext(stored(User, user.pk, "phone_number", "id_number"), "18846837114", "421124199306160784")
    assert stored(User, user.pk, "emergency_phone", "emergency_contact") == {
        "emergency_phone": "",
        "emergency_contact": "",
    }
    assert stored(User, user.pk, "id_number_hash")["id_number_hash"] == blind_index("421124199306160784")
    # The seed's fuzzy phone filter of the staff list still matches a part of the number.
    found = result_of(admin.get("/user/ms/counselor/list", {"phoneNumber": "468371"}))
    assert [r["username"] for r in found] == ["enc_counselor"]
    assert result_of(admin.get("/user/ms/counselor/list", {"phoneNumber": "999999"})) == []


@pytest.mark.django_db
def test_workspace_phone_login_and_phone_uniqueness_work_through_the_hash(anon, as_user, inst_admin, ecnu):
    counselor = make_user(UserType.COUNSELOR, inst=ecnu, username="phone_login", password="")
    counselor.phone_number = "13911112222"
    counselor.set_password(md5("pass1234"))
    counselor.save(update_fields=["phone_number", "password"])  # the hash follows the number
    assert stored(User, counselor.pk, "phone_hash")["phone_hash"] == blind_index("13911112222")
    login = {
        "loginType": "password",
        "accountType": "phone",
        "account": "13911112222",
        "credential": "pass1234",
    }
    info = ws_data(anon.post(f"{W}/auth/login", login, format="json"))["userInfo"]
    assert info["userName"] == "phone_login" and info["phone"] == "13911112222"
    ws_error(anon.post(f"{W}/auth/login", {**login, "account": "13911112223"}, format="json"), 401, -3)
    body = {
        "username": "second",
        "password": md5("pw-123456"),
        "name": "某",
        "phoneNumber": "13911112222",
        "idNumber": "421124199306160784",
    }
    message = error_of(as_user(inst_admin).put("/user/ms/counselor", body, format="json"), 400, -2)
    assert "[phoneNumber]" in message or "手机号" in message
    other = make_user(UserType.SUPERVISOR, inst=ecnu, username="sneaky")
    other.phone_number = "13911112222"
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save(update_fields=["phone_number"])  # the unique constraint now lives on the hash


@pytest.mark.django_db
def test_an_encrypted_column_refuses_sql_comparisons_instead_of_matching_nothing(ecnu):
    with pytest.raises(FieldError):
        list(User.objects.filter(phone_number="13911112222"))
    with pytest.raises(FieldError):
        list(User.objects.filter(id_number__icontains="1234"))
    assert list(User.objects.filter(phone_number="")) == []  # "is it set" stays a plain comparison


def _admin_client(client, sysadmin):
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.post("/admin/login/", {"username": "root", "password": "secret123", "next": "/admin/"})
    return client


@pytest.mark.django_db
def test_admin_search_finds_exact_phone_and_id_numbers(client, sysadmin, ecnu):
    visitor = make_user(UserType.VISITOR, inst=ecnu, username="searched", name="某访客")
    visitor.phone_number, visitor.id_number = "13655556666", "11010519491231002X"
    visitor.save()
    admin = _admin_client(client, sysadmin)
    for term in ("13655556666", "11010519491231002x", "某访客"):
        listed = admin.get("/admin/users/user/", {"q": term}).context["cl"].result_list
        assert [user.username for user in listed] == ["searched"], term
    assert list(admin.get("/admin/users/user/", {"q": "1365555"}).context["cl"].result_list) == []


@pytest.mark.django_db
def test_admin_form_refuses_a_phone_another_counselor_holds(client, sysadmin, ecnu):
    make_user(UserType.COUNSELOR, inst=ecnu, username="holder", phone_number="13677778888")
    counselor = make_user(UserType.COUNSELOR, inst=ecnu, username="editor")
    admin = _admin_client(client, sysadmin)
    url = f"/admin/users/user/{counselor.pk}/change/"
    form = admin.get(url).context["adminform"].form
    data = {
        name: value for name, value in form.initial.items() if value is not None and name != "supervisors"
    }
    data.update(institution=ecnu.pk, max_consults=5, enabled="on", approved="on", phone_number="13677778888")
    response = admin.post(url, data)
    assert response.status_code == 200
    assert "phone_number" in response.context["adminform"].form.errors
    data["phone_number"] = "13677779999"
    assert admin.post(url, data).status_code == 302
    counselor.refresh_from_db()
    assert counselor.phone_number == "13677779999" and counselor.phone_hash == blind_index("13677779999")

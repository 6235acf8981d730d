"""Consent as a record (CONTRACT §10): `/config` carries the version and crisis lines, `PUT`/`GET /consent`
record and show a visitor's acceptance (with a guardian under 14), and `PUT /conversation` refuses a
visitor who has not accepted the current version while the rule is on."""

import pytest
from django.db import connection
from django.test import override_settings

from conversations.models import Conversation
from tests.helpers import error_of, make_user, put_on_duty, result_of
from users.models import ConsentDocument, ConsentRecord, CrisisResource, UserType

pytestmark = pytest.mark.django_db


def accept(client, version=1, **guardian):
    return client.put("/consent", {"version": version, **guardian}, format="json")


def start(client, counselor):
    return client.put("/conversation", {"counselor": counselor.id}, format="json")


def stored_guardian(record):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT guardian_name, guardian_phone FROM users_consentrecord WHERE id = %s", [record.pk]
        )
        return cursor.fetchone()


# ---- /config ---------------------------------------------------------------------------------------------


def test_config_carries_the_consent_version_and_the_default_crisis_lines(anon):
    config = result_of(anon.get("/config"))
    assert config["consentVersion"] == 1
    phones = {line["phone"]: line for line in config["crisisResources"]}
    assert phones["12356"]["name"] == "全国心理援助热线" and phones["12356"]["hours"] == "24小时"
    assert {"120", "110"} <= set(phones)


def test_config_shows_the_crisis_lines_operators_edit(anon):
    CrisisResource.objects.all().delete()
    CrisisResource.objects.create(
        name="校心理中心", phone="021-62233333", hours="工作日 8:30-17:00", position=2
    )
    CrisisResource.objects.create(name="全国心理援助热线", phone="12356", hours="24小时", position=1)
    assert result_of(anon.get("/config"))["crisisResources"] == [
        {"name": "全国心理援助热线", "phone": "12356", "hours": "24小时"},
        {"name": "校心理中心", "phone": "021-62233333", "hours": "工作日 8:30-17:00"},
    ]


@pytest.fixture
def operator(client, sysadmin):
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.post("/admin/login/", {"username": "root", "password": "secret123", "next": "/admin/"})
    return client


def _save_consent_in_admin(operator, text):
    document = ConsentDocument.objects.get()
    response = operator.post(
        f"/admin/users/consentdocument/{document.pk}/change/",
        {"information": f'[{{"name": "p", "children": [{{"type": "text", "text": "{text}"}}]}}]'},
    )
    assert response.status_code == 302, response.content[:800]


def test_changing_the_text_in_the_admin_raises_the_version(operator, anon):
    _save_consent_in_admin(operator, "第二版")
    config = result_of(anon.get("/config"))
    assert config["consentVersion"] == 2
    assert config["information"][0]["children"][0]["text"] == "第二版"
    _save_consent_in_admin(operator, "第三版")
    assert result_of(anon.get("/config"))["consentVersion"] == 3


def test_saving_the_same_text_in_the_admin_keeps_the_version(operator, anon):
    _save_consent_in_admin(operator, "第二版")
    _save_consent_in_admin(operator, "第二版")
    assert result_of(anon.get("/config"))["consentVersion"] == 2


def test_operators_edit_crisis_lines_and_the_institution_switch_in_the_admin(operator, ecnu):
    assert operator.get("/admin/users/crisisresource/").status_code == 200
    response = operator.post(
        "/admin/users/crisisresource/add/",
        {"name": "学校心理热线", "phone": "021-54340000", "hours": "8:00-22:00", "position": 5},
    )
    assert response.status_code == 302, response.content[:500]
    assert CrisisResource.objects.filter(phone="021-54340000").exists()
    response = operator.post(
        f"/admin/users/institution/{ecnu.pk}/change/",
        {"code": ecnu.code, "name": ecnu.name, "consent_required": "on"},
    )
    assert response.status_code == 302, response.content[:500]
    ecnu.refresh_from_db()
    assert ecnu.consent_required is True


# ---- PUT / GET /consent ----------------------------------------------------------------------------------


def test_a_visitor_who_never_accepted_sees_nothing_accepted(as_user, visitor):
    assert result_of(as_user(visitor).get("/consent")) == {
        "version": None,
        "acceptTime": 0,
        "current": 1,
        "guardianRequired": False,
    }


def test_accepting_records_version_time_and_address(as_user, visitor):
    answer = result_of(
        as_user(visitor).put("/consent", {"version": 1}, format="json", REMOTE_ADDR="203.0.113.9")
    )
    assert answer["version"] == 1 and answer["current"] == 1 and answer["acceptTime"] > 0
    record = ConsentRecord.objects.get(user=visitor)
    assert record.version == 1 and record.ip == "203.0.113.9"
    assert answer["acceptTime"] == int(record.accepted_at.timestamp() * 1000)
    assert result_of(as_user(visitor).get("/consent")) == answer


def test_a_wrong_version_is_refused_and_records_nothing(as_user, visitor):
    for version in (2, 0):
        assert "version" in error_of(accept(as_user(visitor), version), 400, -2)
    assert "version" in error_of(as_user(visitor).put("/consent", {}, format="json"), 400, -2)
    assert "version" in error_of(accept(as_user(visitor), "abc"), 400, -2)
    assert not ConsentRecord.objects.exists()


def test_after_a_new_version_the_old_acceptance_is_not_current(as_user, visitor):
    result_of(accept(as_user(visitor)))
    ConsentDocument.objects.update(version=2)
    assert "version" in error_of(accept(as_user(visitor), 1), 400, -2)
    status = result_of(as_user(visitor).get("/consent"))
    assert status["version"] == 1 and status["current"] == 2
    assert result_of(accept(as_user(visitor), 2))["version"] == 2
    assert ConsentRecord.objects.filter(user=visitor).count() == 2  # the history stays


@pytest.fixture
def child(ecnu):
    return make_user(UserType.VISITOR, inst=ecnu, username="child_visitor", age=13)


def test_a_visitor_under_14_must_name_a_guardian(as_user, child):
    client = as_user(child)
    assert result_of(client.get("/consent"))["guardianRequired"] is True
    assert "guardianName" in error_of(accept(client), 400, -2)
    assert "guardianPhone" in error_of(accept(client, guardianName="王芳"), 400, -2)
    message = error_of(accept(client, guardianName="王芳", guardianPhone="0215555"), 400, -2)
    assert "guardianPhone" in message
    assert not ConsentRecord.objects.exists()
    answer = result_of(accept(client, guardianName="王芳", guardianPhone="13812345678"))
    assert answer["version"] == 1 and answer["guardianRequired"] is True
    record = ConsentRecord.objects.get(user=child)
    assert (record.guardian_name, record.guardian_phone) == ("王芳", "13812345678")
    # stored encrypted (hotline/crypto.py): neither the name nor the number is in the row
    raw_name, raw_phone = stored_guardian(record)
    assert "王芳" not in raw_name and "13812345678" not in raw_phone and raw_phone.startswith("gAAAAA")


@pytest.mark.parametrize("age", [None, 0, 14, 30])
def test_no_guardian_is_needed_from_14_or_without_an_age(as_user, ecnu, age):
    visitor = make_user(UserType.VISITOR, inst=ecnu, age=age)
    assert result_of(as_user(visitor).get("/consent"))["guardianRequired"] is False
    assert result_of(accept(as_user(visitor)))["version"] == 1


def test_only_visitors_read_or_give_consent(as_user, anon, counselor, inst_admin):
    for user in (counselor, inst_admin):
        error_of(as_user(user).get("/consent"), 403, -5)
        error_of(accept(as_user(user)), 403, -5)
    error_of(anon.get("/consent"), 401, 401)
    assert not ConsentRecord.objects.exists()


def test_a_visitor_sees_only_its_own_acceptance(as_user, visitor, ecnu):
    other = make_user(UserType.VISITOR, inst=ecnu)
    result_of(accept(as_user(other)))
    assert result_of(as_user(visitor).get("/consent"))["version"] is None


# ---- the rule on PUT /conversation ---------------------------------------------------------------------


def test_without_the_rule_a_visitor_starts_without_consent(as_user, visitor, counselor):
    put_on_duty(counselor)
    assert result_of(start(as_user(visitor), counselor))["status"] == "IN_PROGRESS"


@override_settings(CONSENT_REQUIRED=True)
def test_with_consent_required_a_visitor_must_accept_the_current_version_first(as_user, visitor, counselor):
    put_on_duty(counselor)
    assert error_of(start(as_user(visitor), counselor), 403, -5) == "请先阅读并同意知情同意书"
    assert not Conversation.objects.exists()
    result_of(accept(as_user(visitor)))
    assert result_of(start(as_user(visitor), counselor))["status"] == "IN_PROGRESS"


@override_settings(CONSENT_REQUIRED=True)
def test_an_acceptance_of_an_older_version_does_not_count(as_user, visitor, counselor):
    put_on_duty(counselor)
    result_of(accept(as_user(visitor)))
    ConsentDocument.objects.update(version=2)
    assert error_of(start(as_user(visitor), counselor), 403, -5) == "请先阅读并同意知情同意书"
    assert not Conversation.objects.exists()


def test_the_institution_switch_applies_to_its_visitors_only(as_user, visitor, counselor, ecnu, other_inst):
    ecnu.consent_required = True
    ecnu.save()
    put_on_duty(counselor)
    assert error_of(start(as_user(visitor), counselor), 403, -5) == "请先阅读并同意知情同意书"
    assert not Conversation.objects.exists()
    foreign_counselor = make_user(UserType.COUNSELOR, inst=other_inst)
    foreign_visitor = make_user(UserType.VISITOR, inst=other_inst)
    put_on_duty(foreign_counselor)
    assert result_of(start(as_user(foreign_visitor), foreign_counselor))["status"] == "IN_PROGRESS"
    result_of(accept(as_user(visitor)))
    assert result_of(start(as_user(visitor), counselor))["status"] == "IN_PROGRESS"


# ---- erasure --------------------------------------------------------------------------------------------


def test_erasure_keeps_version_and_time_and_clears_guardian_and_address(as_user, inst_admin, child):
    result_of(accept(as_user(child), guardianName="王芳", guardianPhone="13812345678"))
    before = ConsentRecord.objects.get(user=child)
    result_of(as_user(inst_admin).post(f"/user/erase/{child.pk}"))
    record = ConsentRecord.objects.get(user=child)
    assert (record.version, record.accepted_at) == (before.version, before.accepted_at)
    assert (record.guardian_name, record.guardian_phone, record.ip) == ("", "", "")
    assert stored_guardian(record) == ("", "")


@pytest.mark.parametrize("body", ["null", "[]", "1", '"x"'])
def test_a_body_that_is_not_an_object_is_refused_in_chinese(as_user, visitor, body):
    response = as_user(visitor).put("/consent", data=body, content_type="application/json")
    assert error_of(response, 400, -2) == "请求体须为JSON对象"
    assert not ConsentRecord.objects.exists()

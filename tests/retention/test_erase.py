"""`POST /user/erase/{userId}`: an administrator of the visitor's institution carries out an erasure
request; the visitor is anonymised, its transcripts deleted, its conversations kept for statistics."""

import pytest

from conversations.models import Conversation
from evaluations.models import Evaluation
from tests.helpers import client_for, error_of, make_user, result_of
from tests.retention.conftest import messages_of
from users.models import AuditEntry, User, UserType


def erase(client, user, **extra):
    return client.post(f"/user/erase/{user.pk}", **extra)


@pytest.mark.django_db
def test_an_institution_administrator_erases_a_visitor(as_user, inst_admin, aged_session, new_visitor):
    visitor = new_visitor()
    session = aged_session(visitor, days_ago=2)
    visitor_client = client_for(visitor)
    admin = as_user(inst_admin)
    listed_before = admin.get("/conversation/consultlist").json()["count"]

    shown = result_of(erase(admin, visitor, REMOTE_ADDR="10.9.8.7"))

    assert shown["id"] == visitor.pk and shown["username"] == f"erased-{visitor.pk}"
    assert shown["name"] is None and shown["phoneNumber"] is None and shown["idNumber"] is None
    assert shown["enabled"] is False
    stored = User.objects.get(pk=visitor.pk)
    assert (stored.emergency_contact, stored.emergency_phone, stored.open_id) == ("", "", "")
    assert stored.erased_at is not None and not stored.has_usable_password()
    assert messages_of(session) == 0
    assert result_of(admin.get("/message/conversation/web", {"conversationId": session.pk})) == []
    assert Conversation.objects.filter(pk=session.pk, user=visitor).exists()
    evaluation = Evaluation.objects.get(conversation=session)
    assert evaluation.content == "" and evaluation.level == 4
    assert admin.get("/conversation/consultlist").json()["count"] == listed_before
    error_of(visitor_client.get("/auth/me"), 401, 401)  # the visitor's session ends
    row = AuditEntry.objects.get(action="visitor.erase")
    assert (row.actor_id, row.object_id, row.ip, row.detail["reason"]) == (
        inst_admin.id,
        visitor.pk,
        "10.9.8.7",
        "request",
    )
    assert row.detail["messages"] == 2
    assert "张同学" not in str(row.detail)


@pytest.mark.django_db
def test_audit_rows_about_a_visitor_name_it_by_id_only(as_user, inst_admin, ecnu):
    visitor = make_user(
        UserType.VISITOR, inst=ecnu, username="oWechatOpenid0001", open_id="oWechatOpenid0001"
    )
    result_of(as_user(inst_admin).post(f"/user/ban/{visitor.pk}"))
    result_of(erase(as_user(inst_admin), visitor))
    error_of(
        client_for(None).post("/auth/login", {"username": "oWechatOpenid0001", "password": "0" * 32}), 401, -3
    )
    rows = list(AuditEntry.objects.values_list("actor_username", "detail"))
    assert len(rows) == 3 and "oWechatOpenid0001" not in str(rows)


@pytest.mark.django_db
def test_erasing_twice_is_harmless(as_user, sysadmin, new_visitor):
    visitor = new_visitor()
    result_of(erase(as_user(sysadmin), visitor))
    assert result_of(erase(as_user(sysadmin), visitor))["username"] == f"erased-{visitor.pk}"


@pytest.mark.django_db
def test_a_visitor_with_an_open_conversation_is_not_erased(as_user, inst_admin, aged_session, new_visitor):
    visitor = new_visitor()
    session = aged_session(visitor, days_ago=0, open=True)
    message = error_of(erase(as_user(inst_admin), visitor), 400, -2)
    assert "未结束的会话" in message
    assert messages_of(session) == 2
    assert User.objects.get(pk=visitor.pk).name == "张同学"
    assert not AuditEntry.objects.filter(action="visitor.erase").exists()


@pytest.mark.django_db
def test_outside_the_scope_or_not_a_visitor_is_404(as_user, other_admin, inst_admin, counselor, new_visitor):
    visitor = new_visitor()
    error_of(erase(as_user(other_admin), visitor), 404, -4)
    error_of(erase(as_user(inst_admin), counselor), 404, -4)
    error_of(as_user(inst_admin).post(f"/user/erase/{'0' * 32}"), 404, -4)
    assert User.objects.get(pk=visitor.pk).name == "张同学"
    assert not AuditEntry.objects.filter(action="visitor.erase").exists()


@pytest.mark.django_db
def test_only_administrators_erase(as_user, anon, counselor, supervisor, new_visitor):
    visitor = new_visitor()
    other_visitor = make_user(UserType.VISITOR, inst=visitor.institution)
    for caller in (counselor, supervisor, other_visitor, visitor):
        error_of(erase(as_user(caller), visitor), 403, -5)
    error_of(erase(anon, visitor), 401, 401)
    error_of(as_user(counselor).get(f"/user/erase/{visitor.pk}"), 405, -2)
    assert User.objects.get(pk=visitor.pk).erased_at is None

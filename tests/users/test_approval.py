"""PUT/POST /user/approve/{userId}: who may approve a pending workspace account, and what it answers
(CONTRACT §9). The stranger's whole path through the workspace is in tests/consultant/test_approval.py."""

import pytest

from tests.helpers import error_of, make_user, put_on_duty, result_of
from users.models import AuditEntry, User, UserType


@pytest.fixture
def pending(ecnu):
    return make_user(UserType.COUNSELOR, inst=ecnu, username="pending1", approved=False)


def approved_in_db(user):
    return User.objects.get(pk=user.pk).approved


@pytest.mark.django_db
def test_staff_created_by_an_administrator_is_approved(as_user, inst_admin):
    body = {"username": "made1", "password": "0" * 32, "name": "新人", "phoneNumber": "13800001234"}
    result_of(as_user(inst_admin).put("/user/ms/counselor", {**body, "idNumber": "110101199003074514"}))
    assert User.objects.get(username="made1").approved is True
    rows = result_of(as_user(inst_admin).get("/user/list", {"username": "made1"}))
    assert rows[0]["approved"] is True


@pytest.mark.django_db
def test_the_institution_administrator_approves_and_withdraws(as_user, inst_admin, pending):
    admin = as_user(inst_admin)
    assert result_of(admin.put(f"/user/approve/{pending.id}"))["approved"] is True
    assert approved_in_db(pending) is True
    assert (
        result_of(admin.post(f"/user/approve/{pending.id}", {"approved": False}, format="json"))["approved"]
        is False
    )
    assert approved_in_db(pending) is False
    assert result_of(admin.post(f"/user/approve/{pending.id}"))["approved"] is True
    actions = list(AuditEntry.objects.order_by("created_at").values_list("action", flat=True))
    assert actions == ["user.approve", "user.unapprove", "user.approve"]
    entry = AuditEntry.objects.filter(action="user.unapprove").get()
    assert (
        entry.actor_id == inst_admin.id and entry.object_type == "user" and entry.object_ids == [pending.id]
    )


@pytest.mark.django_db
def test_a_system_administrator_approves_in_any_institution(as_user, sysadmin, other_inst):
    foreign = make_user(UserType.COUNSELOR, inst=other_inst, approved=False)
    assert result_of(as_user(sysadmin).put(f"/user/approve/{foreign.id}"))["approved"] is True
    assert approved_in_db(foreign) is True


@pytest.mark.django_db
def test_another_institutions_administrator_gets_404_and_nothing_changes(as_user, other_admin, pending):
    error_of(as_user(other_admin).put(f"/user/approve/{pending.id}"), 404, -4)
    error_of(as_user(other_admin).post(f"/user/approve/{pending.id}?approved=false"), 404, -4)
    assert approved_in_db(pending) is False
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_staff_and_visitors_cannot_approve(as_user, counselor, supervisor, visitor, pending, anon):
    for caller in (counselor, supervisor, visitor):
        error_of(as_user(caller).put(f"/user/approve/{pending.id}"), 403, -5)
    error_of(anon.put(f"/user/approve/{pending.id}"), 401, 401)
    assert approved_in_db(pending) is False
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_only_counselors_and_supervisors_are_approved(as_user, inst_admin, visitor, ecnu):
    other_admin = make_user(UserType.INSTITUTION, inst=ecnu)
    for target in (visitor, other_admin):
        error_of(as_user(inst_admin).post(f"/user/approve/{target.id}?approved=false"), 404, -4)
        assert approved_in_db(target) is True


@pytest.mark.django_db
def test_a_pending_account_cannot_be_chosen_and_reads_no_records(as_user, visitor, pending):
    put_on_duty(pending)
    message = error_of(
        as_user(visitor).put("/conversation", {"counselor": pending.id}, format="json"), 400, -2
    )
    assert "该咨询师今日不在值班" in message
    assert error_of(as_user(pending).get("/conversation/consultlist"), 403, -5) == "账号待审核"
    me = result_of(as_user(pending).get("/auth/me"))
    assert me["id"] == pending.id and me["approved"] is False


@pytest.mark.django_db
def test_approving_in_the_admin_form_goes_through_the_audited_service(client, sysadmin, pending):
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.post("/admin/login/", {"username": "root", "password": "secret123", "next": "/admin/"})
    url = f"/admin/users/user/{pending.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value for name, value in form.initial.items() if value is not None and name != "supervisors"
    }
    data.update(enabled="on", approved="on", institution=pending.institution_id)
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:500]
    assert approved_in_db(pending) is True
    entry = AuditEntry.objects.get(action="user.approve")
    assert entry.actor_id == sysadmin.id

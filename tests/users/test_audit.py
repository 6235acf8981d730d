"""The audit log (issue 12): reads of counselling data, account changes, deletions, staff sign-ins and
admin-site changes leave a row naming who, what, when, from where and which object; the log is read-only
in the admin and append-only in the database."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations.models import Conversation
from hotline.api.timeutil import today
from tests.consultant.helpers import W, archive_body, make_order, ws_data
from tests.helpers import day_ms, error_of, make_user, md5, put_on_duty, result_of
from users.models import AuditEntry, UserType
from users.tokens import token_pair

ADDRESS = {"REMOTE_ADDR": "10.1.2.3"}


def audit_inserts(queries):
    return [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "users_auditentry"')]


@pytest.fixture
def session(ecnu, visitor, counselor):
    return Conversation.objects.create(
        status="FINISHED", user=visitor, counselor=counselor, institution=ecnu, end_time=timezone.now()
    )


# ---- reads ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_transcript_read_is_one_row_written_by_one_insert(as_user, inst_admin, session):
    admin = as_user(inst_admin)
    with CaptureQueriesContext(connection) as queries:
        result_of(admin.get("/message/conversation/web", {"conversationId": session.id}, **ADDRESS))
    assert len(audit_inserts(queries.captured_queries)) == 1
    result_of(admin.get("/message/conversation/web", {"conversationId": session.id, "page": 2}, **ADDRESS))
    rows = list(AuditEntry.objects.filter(action="transcript.read"))
    assert len(rows) == 2
    row = rows[0]
    assert (row.actor_id, row.actor_username, row.object_type, row.object_id, row.ip) == (
        inst_admin.id,
        "ecnu_admin",
        "conversation",
        session.id,
        "10.1.2.3",
    )


@pytest.mark.django_db
def test_a_refused_transcript_read_writes_nothing(as_user, other_admin, session, visitor):
    error_of(as_user(other_admin).get("/message/conversation/web", {"conversationId": session.id}), 404, -4)
    error_of(as_user(visitor).get("/message/conversation/web", {"conversationId": "0" * 32}), 404, -4)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_workspace_reads_of_interview_records_and_intake_profiles_are_audited(anon, ecnu):
    user = make_user(UserType.COUNSELOR, inst=ecnu, username="wsaudit")
    token = token_pair(user)["access"]

    def call(path, body=None):
        return anon.post(path, {"userID": user.id, "token": token, **(body or {})}, format="json", **ADDRESS)

    archive_id = call(f"{W}/interview/records/create", archive_body()).json()["id"]
    order = make_order(user, name="李四")
    ws_data(call(f"{W}/interview/records/profile", {"id": archive_id}))
    ws_data(call(f"{W}/interview/records/personal-profile", {"id": order.pk}))
    ws_data(call(f"{W}/interview/records"))
    rows = {row.action: row for row in AuditEntry.objects.filter(action__endswith=".read")}
    assert set(rows) == {"archive.read", "intake.read", "archive_list.read"}
    assert rows["archive_list.read"].object_id == str(archive_id)
    assert rows["archive.read"].object_type == "archive" and rows["archive.read"].object_id == str(archive_id)
    assert rows["intake.read"].object_type == "order" and rows["intake.read"].object_id == str(order.pk)
    assert {row.actor_id for row in rows.values()} == {user.id}
    assert {row.ip for row in rows.values()} == {"10.1.2.3"}
    # someone else's archive: 404 and no read row
    stranger = make_user(UserType.COUNSELOR, inst=ecnu)
    stranger_token = token_pair(stranger)["access"]
    response = anon.post(
        f"{W}/interview/records/profile",
        {"userID": stranger.id, "token": stranger_token, "id": archive_id},
        format="json",
    )
    assert response.json()["code"] == -4
    assert AuditEntry.objects.filter(action="archive.read").count() == 1


# ---- sign-ins ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_hotline_logins_are_audited_without_revealing_unknown_names(anon, counselor):
    login = "/auth/login"
    result_of(
        anon.post(login, {"username": "liMeijin", "password": md5("secret123")}, format="json", **ADDRESS)
    )
    error_of(anon.post(login, {"username": "liMeijin", "password": md5("wrong")}, format="json"), 401, -3)
    error_of(anon.post(login, {"username": "My-Passw0rd", "password": md5("x")}, format="json"), 401, -3)
    success = AuditEntry.objects.get(action="login.success")
    assert success.actor_id == counselor.id and success.ip == "10.1.2.3"
    assert success.detail["channel"] == "hotline" and success.object_id == counselor.id
    failures = AuditEntry.objects.filter(action="login.failure").order_by("created_at")
    known, unknown = list(failures)
    assert known.actor_id == counselor.id and known.detail["reason"] == "credentials"
    assert unknown.actor_id is None and unknown.actor_username == "" and unknown.object_id == ""
    assert len(unknown.detail["identifier"]) == 16
    assert "My-Passw0rd" not in str(unknown.detail) and md5("x") not in str(unknown.detail)


@pytest.mark.django_db
def test_locked_attempts_are_audited_as_failures(anon, counselor, settings):
    settings.LOGIN_MAX_FAILURES_PER_USER = 1
    body = {"username": "liMeijin", "password": md5("wrong")}
    error_of(anon.post("/auth/login", body, format="json"), 401, -3)
    error_of(anon.post("/auth/login", body, format="json"), 429, -3)
    reasons = sorted(row.detail["reason"] for row in AuditEntry.objects.filter(action="login.failure"))
    assert reasons == ["credentials", "locked"]


@pytest.mark.django_db
def test_workspace_logins_are_audited(anon, ecnu):
    make_user(UserType.COUNSELOR, inst=ecnu, username="wslogin", email="ws@example.com")
    body = {"loginType": "password", "accountType": "email", "account": "ws@example.com"}
    assert (
        anon.post(f"{W}/auth/login", {**body, "credential": "secret123"}, format="json").json()["code"] == 0
    )
    anon.post(f"{W}/auth/login", {**body, "credential": "wrong"}, format="json")
    rows = AuditEntry.objects.filter(action__startswith="login.")
    assert sorted((row.action, row.detail["channel"]) for row in rows) == [
        ("login.failure", "workspace"),
        ("login.success", "workspace"),
    ]


@pytest.mark.django_db
def test_admin_site_logins_are_audited(client, sysadmin):
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.post("/admin/login/", {"username": "root", "password": "wrong", "next": "/admin/"})
    client.post("/admin/login/", {"username": "nobody", "password": "secret123", "next": "/admin/"})
    client.post("/admin/login/", {"username": "root", "password": "secret123", "next": "/admin/"})
    rows = list(AuditEntry.objects.filter(action__startswith="login.").order_by("created_at"))
    assert [(row.action, row.actor_id, row.detail["channel"]) for row in rows] == [
        ("login.failure", sysadmin.id, "admin"),
        ("login.failure", None, "admin"),
        ("login.success", sysadmin.id, "admin"),
    ]
    assert "nobody" not in str(rows[1].detail) and "secret123" not in str(rows[1].detail)


# ---- account changes and deletions ---------------------------------------------------------------


@pytest.mark.django_db
def test_ban_activation_password_and_deletion_are_audited(as_user, inst_admin, counselor, supervisor):
    admin = as_user(inst_admin)
    result_of(admin.post(f"/user/ban/{counselor.id}", **ADDRESS))
    result_of(admin.post(f"/user/active/{counselor.id}"))
    result_of(
        admin.post("/user/ms/counselor", {"username": "liMeijin", "password": md5("n3w")}, format="json")
    )
    result_of(admin.delete("/user/ms/supervisor/zhouyu"))
    result_of(
        as_user(inst_admin).post(
            "/user/password", {"oldPassword": md5("secret123"), "password": md5("other")}, format="json"
        )
    )
    rows = list(AuditEntry.objects.order_by("created_at").values_list("action", "actor_id", "object_id"))
    assert rows == [
        ("user.ban", inst_admin.id, counselor.id),
        ("user.enable", inst_admin.id, counselor.id),
        ("user.password", inst_admin.id, counselor.id),
        ("user.delete", inst_admin.id, supervisor.id),
        ("user.password", inst_admin.id, inst_admin.id),
    ]
    assert AuditEntry.objects.filter(action="user.ban").get().ip == "10.1.2.3"


@pytest.mark.django_db
def test_creating_accounts_is_audited_with_the_role_granted(as_user, inst_admin):
    admin = as_user(inst_admin)
    body = {"username": "newc", "password": md5("x"), "name": "新咨询师", "phoneNumber": "13700001111"}
    result_of(admin.put("/user/ms/counselor", {**body, "idNumber": "110101199003074514"}, format="json"))
    created = AuditEntry.objects.get(action="user.create")
    assert created.actor_id == inst_admin.id and created.detail["type"] == "COUNSELOR"
    assert created.detail["username"] == "newc"
    error_of(
        admin.put("/user/ms/counselor", {**body, "idNumber": "110101199003074514"}, format="json"), 400, -2
    )
    assert AuditEntry.objects.filter(action="user.create").count() == 1


@pytest.mark.django_db
def test_refused_changes_are_not_audited(as_user, other_admin, counselor):
    error_of(as_user(other_admin).post(f"/user/ban/{counselor.id}"), 404, -4)
    error_of(as_user(counselor).post(f"/user/ban/{counselor.id}"), 403, -5)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_taking_a_duty_day_off_is_audited(as_user, inst_admin, counselor):
    put_on_duty(counselor)
    query = {"type": "COUNSELOR", "timestamp": day_ms(today())}
    day = result_of(as_user(inst_admin).get("/arrange/theday", query))[0]
    result_of(as_user(inst_admin).delete(f"/arrange/{day['id']}"))
    row = AuditEntry.objects.get(action="arrangement.delete")
    assert row.object_id == day["id"] and row.detail["user"] == counselor.id


# ---- admin site ----------------------------------------------------------------------------------


@pytest.fixture
def operator(client, sysadmin):
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.post("/admin/login/", {"username": "root", "password": "secret123", "next": "/admin/"})
    return client


def admin_form_data(client, url, **changes):
    form = client.get(url).context["adminform"].form
    data = {
        name: value for name, value in form.initial.items() if value is not None and name != "supervisors"
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_admin_site_changes_role_and_password_changes_are_audited(operator, sysadmin, counselor):
    url = f"/admin/users/institution/{counselor.institution_id}/change/"
    operator.post(url, {"code": "ecnu", "name": "华东师大"})
    change = AuditEntry.objects.get(action="admin.change")
    assert change.object_type == "users.institution" and change.object_id == str(counselor.institution_id)
    assert change.actor_id == sysadmin.id
    url = f"/admin/users/user/{counselor.pk}/change/"
    data = admin_form_data(
        operator, url, type="SUPERVISOR", new_password="another-secret", institution=counselor.institution_id
    )
    assert operator.post(url, data).status_code == 302
    role = AuditEntry.objects.get(action="user.role")
    assert role.object_id == counselor.id and role.detail["type"] == "SUPERVISOR"
    assert "type" in role.detail["fields"]
    assert AuditEntry.objects.get(action="user.password").object_id == counselor.id
    assert "another-secret" not in str(list(AuditEntry.objects.values_list("detail", flat=True)))


@pytest.mark.django_db
def test_the_admins_own_password_change_is_audited_and_opens_every_door(operator, sysadmin, anon):
    response = operator.post(
        "/admin/password_change/",
        {
            "old_password": "secret123",
            "new_password1": "a-much-longer-pass",
            "new_password2": "a-much-longer-pass",
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="user.password").object_id == sysadmin.id
    # the operator typed plain text; the hotline sends its md5, the admin login takes it plain again
    login = {"username": "root", "password": md5("a-much-longer-pass")}
    result_of(anon.post("/auth/login", login, format="json"))
    operator.logout()
    operator.post("/admin/login/", {"username": "root", "password": "a-much-longer-pass", "next": "/admin/"})
    assert operator.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_old_password_changes_nothing(operator, sysadmin):
    body = {
        "old_password": "wrong",
        "new_password1": "a-much-longer-pass",
        "new_password2": "a-much-longer-pass",
    }
    assert operator.post("/admin/password_change/", body).status_code == 200
    sysadmin.refresh_from_db()
    assert sysadmin.check_password(md5("secret123"))
    assert not AuditEntry.objects.filter(action="user.password").exists()


@pytest.mark.django_db
def test_admin_deletions_are_audited(operator, ecnu):
    spare = make_user(UserType.VISITOR, inst=ecnu, username="spare_visitor")
    response = operator.post(
        "/admin/users/user/",
        {"action": "delete_selected", "_selected_action": [spare.pk], "post": "yes"},
    )
    assert response.status_code == 302
    row = AuditEntry.objects.get(action="admin.delete")
    assert row.object_type == "users.user" and row.object_id == spare.pk


@pytest.mark.django_db
def test_the_audit_log_is_read_only_in_the_admin_and_filters_by_actor_and_object(
    operator, as_user, inst_admin, session
):
    result_of(as_user(inst_admin).get("/message/conversation/web", {"conversationId": session.id}))
    entry = AuditEntry.objects.get(action="transcript.read")
    listing = operator.get("/admin/users/auditentry/", {"q": "ecnu_admin"})
    assert listing.status_code == 200 and list(listing.context["cl"].result_list) == [entry]
    by_object = operator.get("/admin/users/auditentry/", {"q": session.id})
    assert list(by_object.context["cl"].result_list) == [entry]
    by_action = operator.get("/admin/users/auditentry/", {"action": "transcript.read"})
    assert list(by_action.context["cl"].result_list) == [entry]
    viewed = operator.get(f"/admin/users/auditentry/{entry.pk}/change/")
    assert viewed.status_code == 200 and session.id in viewed.content.decode()
    assert operator.get("/admin/users/auditentry/add/").status_code == 403
    assert operator.get(f"/admin/users/auditentry/{entry.pk}/delete/").status_code == 403
    assert operator.post(f"/admin/users/auditentry/{entry.pk}/change/", {"action": "x"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "transcript.read"


# ---- append-only in the database -----------------------------------------------------------------


def insert_aged_row(days):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO users_auditentry (actor_username, action, object_type, object_id, object_ids, detail, ip, "
            "created_at) VALUES ('old', 'old.row', 'x', '1', '[]', '{}', '', %s) RETURNING id",
            [timezone.now() - timedelta(days=days)],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_database_refuses_updates_and_early_deletes(counselor):
    young = insert_aged_row(days=100)
    old = insert_aged_row(days=200)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=young).update(action="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=old).update(action="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=young).delete()
    AuditEntry.objects.filter(pk=old).delete()  # past the 183-day floor: the retention purge may
    assert list(AuditEntry.objects.values_list("pk", "action")) == [(young, "old.row")]

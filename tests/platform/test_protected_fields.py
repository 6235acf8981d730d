"""No update endpoint lets a client set `roles`, `type`, `institutionCode`, `enabled`, `totalTime`, the
approval state or another user's fields (issue 12). Each test sends those fields to one endpoint beside a
legitimate change, then reads the rows back from the database."""

import pytest

from tests.helpers import client_for, make_user, md5, result_of
from users.models import User, UserType
from users.tokens import token_pair

W = "/api/consultant"

# What a client might try to smuggle into an update, in the seed's spelling and in the model's.
SMUGGLED = {
    "roles": "ROLE_SYSTEM_ADMINISTRATOR",
    "role": "ROLE_SYSTEM_ADMINISTRATOR",
    "type": "ADMIN",
    "institutionCode": "sjtu",
    "institution": "sjtu",
    "organization": "上海交通大学",
    "enabled": False,
    "totalTime": 999_999,
    "total_time": 999_999,
    "approved": True,
    "is_staff": True,
    "isStaff": True,
    "activated": True,
    "deletedAt": 1,
}

PROTECTED = (
    "type",
    "institution_id",
    "enabled",
    "total_time",
    "approved",
    "is_staff",
    "activated",
    "deleted_at",
    "deactivated_at",
    "username",
)


def protected(user):
    return User.objects.filter(pk=user.pk).values(*PROTECTED).get()


def whole_row(user):
    return User.objects.filter(pk=user.pk).values().get()


def smuggling(**extra):
    return {**SMUGGLED, **extra}


@pytest.fixture
def peer(ecnu):
    return make_user(UserType.COUNSELOR, inst=ecnu, username="peer_c", name="同事")


@pytest.mark.django_db
def test_visitor_update_changes_only_its_own_profile_fields(visitor, ecnu, other_inst):
    other = make_user(UserType.VISITOR, inst=ecnu, username="other_visitor")
    before, others_before = protected(visitor), whole_row(other)
    body = smuggling(name="新名字", username=other.username, id=other.pk, userId=other.pk)
    response = client_for(visitor).post("/user/update", body, format="json")
    assert result_of(response)["name"] == "新名字"
    assert protected(visitor) == before
    assert whole_row(other) == others_before


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["supervisor", "counselor"])
@pytest.mark.parametrize("by_path", [False, True], ids=["body", "path"])
@pytest.mark.parametrize("actor_name", ["inst_admin", "sysadmin"])
def test_staff_updates_change_no_protected_field(
    request, kind, by_path, actor_name, ecnu, other_inst, supervisor, peer, inst_admin
):
    actor = request.getfixturevalue(actor_name)
    target = supervisor if kind == "supervisor" else peer
    before, admins_before = protected(target), whole_row(inst_admin)
    body = smuggling(name="改过的名字")
    if by_path:
        path = f"/user/ms/{kind}/{target.pk}"
    else:
        path, body["username"] = f"/user/ms/{kind}", target.username
    result = result_of(client_for(actor).post(path, body, format="json"))
    assert result["name"] == "改过的名字" and result["type"] == target.type
    assert result["institutionCode"] == "ecnu" and result["enabled"] is True
    assert protected(target) == before
    assert whole_row(inst_admin) == admins_before


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["supervisor", "counselor"])
def test_staff_update_by_path_cannot_reach_another_user_through_the_body(kind, inst_admin, supervisor, peer):
    target, other = (supervisor, peer) if kind == "supervisor" else (peer, supervisor)
    before, others_before = whole_row(target), whole_row(other)
    response = client_for(inst_admin).post(
        f"/user/ms/{kind}/{target.pk}", {"username": other.username, "name": "别人"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == -2
    assert whole_row(target) == before and whole_row(other) == others_before


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["supervisor", "counselor"])
def test_staff_created_by_an_institution_admin_stays_in_its_institution_with_defaults(
    kind, ecnu, other_inst, inst_admin
):
    body = {
        **SMUGGLED,
        "institutionCode": "ecnu",
        "username": f"new_{kind}",
        "password": md5("newpass123"),
        "name": "新同事",
        "phoneNumber": "13912345678",
        "idNumber": "11010519491231002X",
        "approved": False,
        "enabled": False,
    }
    result_of(client_for(inst_admin).put(f"/user/ms/{kind}", body, format="json"))
    created = User.objects.get(username=f"new_{kind}")
    assert created.type == kind.upper() and created.institution_id == ecnu.pk
    assert created.enabled and created.approved and created.total_time == 0 and not created.is_staff


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/user/ms/supervisor", "/user/ms/counselor", "/user/ms"])
def test_an_institution_admin_cannot_create_in_another_institution(path, other_inst, inst_admin):
    body = {
        "institutionCode": "sjtu",
        "username": "intruder",
        "password": md5("newpass123"),
        "name": "外人",
        "phoneNumber": "13912345678",
        "idNumber": "11010519491231002X",
        "role": "ROLE_COUNSELOR",
    }
    response = client_for(inst_admin).put(path, body, format="json")
    assert response.status_code == 403 and response.json()["code"] == -5
    assert not User.objects.filter(username="intruder").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["ROLE_SYSTEM_ADMINISTRATOR", "ROLE_INSTITUTION_ADMINISTRATOR"])
def test_an_institution_admin_cannot_create_administrators(role, inst_admin):
    body = {"username": "new_boss", "password": md5("newpass123"), "role": role}
    response = client_for(inst_admin).put("/user/ms", body, format="json")
    assert response.status_code == 403 and response.json()["code"] == -5
    assert not User.objects.filter(username="new_boss").exists()


@pytest.mark.django_db
def test_a_system_admin_names_the_institution_of_a_new_user(other_inst, sysadmin):
    """The legitimate case of CONTRACT §3: `institutionCode` on add, by a system administrator."""
    body = {"institutionCode": "sjtu", "username": "sjtu_staff", "password": md5("newpass123")}
    result_of(client_for(sysadmin).put("/user/ms", {**body, "role": "ROLE_COUNSELOR"}, format="json"))
    assert User.objects.get(username="sjtu_staff").institution_id == other_inst.pk


@pytest.mark.django_db
@pytest.mark.parametrize("actor_name", ["visitor", "counselor", "inst_admin"])
def test_password_change_touches_only_the_callers_password(request, actor_name, ecnu, peer):
    actor = request.getfixturevalue(actor_name)
    before, peers_before = protected(actor), whole_row(peer)
    body = smuggling(
        oldPassword=md5("secret123"), password=md5("newpass123"), username=peer.username, userId=peer.pk
    )
    result_of(client_for(actor).post("/user/password", body, format="json"))
    assert protected(actor) == before
    assert whole_row(peer) == peers_before
    actor.refresh_from_db()
    assert actor.check_password(md5("newpass123"))


@pytest.mark.django_db
def test_max_consults_changes_only_the_callers_capacity(counselor, peer):
    before, peers_before = protected(counselor), whole_row(peer)
    body = smuggling(maxConsults=4, username=peer.username, userId=peer.pk)
    assert result_of(client_for(counselor).post("/user/maxconsults", body, format="json"))["maxConsults"] == 4
    assert protected(counselor) == before and whole_row(peer) == peers_before


def _profile(user, **overrides):
    return {
        "username": user.username,
        "name": "新名字",
        "phone": "",
        "email": f"{user.username}@example.com",
        "organization": user.institution.name,
        "introduction": "",
        "experience": "",
        "expertise": "",
        "education": "",
        "certifications": "",
        **overrides,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("approved", [True, False], ids=["approved", "pending"])
def test_workspace_profile_update_changes_no_protected_field(approved, ecnu, other_inst, peer):
    user = make_user(UserType.COUNSELOR, inst=ecnu, username="ws_self", approved=approved)
    before, peers_before = protected(user), whole_row(peer)
    profile = {**_profile(user), **{key: value for key, value in SMUGGLED.items() if key != "organization"}}
    body = {**SMUGGLED, "organization": ecnu.name, "userID": user.pk, "token": token_pair(user)["access"]}
    response = client_for(None).post(f"{W}/user/updateProfile", {**body, "profile": profile}, format="json")
    assert response.status_code == 200 and response.json()["code"] == 0, response.json()
    assert protected(user) == before
    assert whole_row(peer) == peers_before
    user.refresh_from_db()
    assert user.name == "新名字"


@pytest.mark.django_db
def test_workspace_profile_update_cannot_rename_or_move_the_account(ecnu, other_inst, peer):
    user = make_user(UserType.COUNSELOR, inst=ecnu, username="ws_self")
    auth = {"userID": user.pk, "token": token_pair(user)["access"]}
    before, peers_before = whole_row(user), whole_row(peer)
    for profile, status in (
        (_profile(user, username=peer.username), 400),
        (_profile(user, organization=other_inst.name), 403),
    ):
        response = client_for(None).post(
            f"{W}/user/updateProfile", {**auth, "profile": profile}, format="json"
        )
        assert response.status_code == status, response.json()
    assert whole_row(user) == before and whole_row(peer) == peers_before


@pytest.mark.django_db
def test_workspace_calls_cannot_act_for_another_user(ecnu, peer):
    """The body's userID must be the token's user: naming a colleague is a 401, whatever the body says."""
    user = make_user(UserType.COUNSELOR, inst=ecnu, username="ws_self")
    before = whole_row(peer)
    body = {"userID": peer.pk, "token": token_pair(user)["access"], "profile": _profile(peer)}
    response = client_for(None).post(f"{W}/user/updateProfile", body, format="json")
    assert response.status_code == 401 and response.json()["code"] == 401
    assert whole_row(peer) == before


@pytest.mark.django_db
@pytest.mark.parametrize("by_path", [False, True], ids=["body", "path"])
def test_a_counsellor_cannot_be_bound_to_another_institutions_supervisor(
    by_path, other_inst, inst_admin, peer
):
    foreign = make_user(UserType.SUPERVISOR, inst=other_inst, username="sjtu_sup")
    body = {"supervisors": [foreign.pk]}
    path = f"/user/ms/counselor/{peer.pk}" if by_path else "/user/ms/counselor"
    if not by_path:
        body["username"] = peer.username
    response = client_for(inst_admin).post(path, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == -2
    assert list(peer.supervisors.all()) == []


@pytest.mark.django_db
def test_a_new_counsellor_of_another_institution_gets_no_supervisor_from_this_one(
    other_inst, sysadmin, supervisor
):
    body = {
        "institutionCode": "sjtu",
        "username": "sjtu_counselor",
        "password": md5("newpass123"),
        "name": "外校咨询师",
        "phoneNumber": "13912345678",
        "idNumber": "11010519491231002X",
        "supervisors": [supervisor.pk],
    }
    response = client_for(sysadmin).put("/user/ms/counselor", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == -2
    assert not User.objects.filter(username="sjtu_counselor").exists()

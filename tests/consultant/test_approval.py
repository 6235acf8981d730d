"""A stranger who registers in the workspace stays pending until an administrator of its institution
approves it: no hotline duty, no conversations, no visitors' data (issue 12 hole 1, CONTRACT §9)."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from conversations.models import Conversation
from hotline.api.timeutil import today
from tests.consultant.helpers import W, last_code, set_day, ws_data, ws_error
from tests.helpers import day_ms, error_of, institution, make_user, md5, result_of
from users.models import AuditEntry, User, UserType

PENDING = "账号待审核"
PASSWORD = "abc12345"


@pytest.fixture
def home(db):
    """The default institution, which self-registrations join."""
    return institution(settings.DEFAULT_INSTITUTION)


@pytest.fixture
def home_admin(home):
    return make_user(UserType.INSTITUTION, inst=home, username="home_admin")


@pytest.fixture
def home_visitor(home):
    return make_user(UserType.VISITOR, inst=home, username="oHomeVisitor", open_id="oHomeVisitor")


@pytest.fixture
def stranger(anon, home):
    """Registered through an email code, signed in to the workspace; answers (user, call) where
    `call(path, body)` posts to the workspace with the stranger's userID and token."""
    anon.post(f"{W}/auth/email", {"email": "stranger@example.com"}, format="json")
    body = {
        "userName": "stranger",
        "account": "stranger@example.com",
        "accountType": "email",
        "password": PASSWORD,
        "verificationCode": last_code(),
    }
    ws_data(anon.post(f"{W}/auth/register", body, format="json"))
    login = {
        "loginType": "password",
        "accountType": "email",
        "account": "stranger@example.com",
        "credential": PASSWORD,
    }
    data = ws_data(anon.post(f"{W}/auth/login", login, format="json"))

    def call(path, body=None, user=None):
        payload = {"userID": data["userInfo"]["userID"], "token": data["token"], **(body or {})}
        return anon.post(path, payload, format="json")

    return User.objects.get(username="stranger"), call


def on_duty_ids(client, user_type="COUNSELOR"):
    rows = result_of(client.get("/arrange/theday", {"timestamp": day_ms(today(), hour=3), "type": user_type}))
    return {row["user"] for row in rows}


def start(client, counselor):
    return client.put("/conversation", {"counselor": counselor.id}, format="json")


VISITOR_DATA = [
    "/orders",
    "/user/comments",
    "/dashboard/today-transactions",
    "/dashboard/category-data",
    "/dashboard/yearly-consultations",
    "/dashboard/time-slot-data",
    "/dashboard/gender-data",
    "/dashboard/age-data",
    "/interview/records",
    "/interview/records/profile",
    "/interview/records/personal-profile",
    "/interview/template/list",
    "/schedule/work",
]


@pytest.mark.django_db
def test_a_self_registered_counselor_is_pending_and_off_duty(stranger, as_user, home_visitor):
    user, call = stranger
    assert user.type == UserType.COUNSELOR and user.institution.code == settings.DEFAULT_INSTITUTION
    ws_data(set_day(call, today(), ["00:00-12:00", "12:00-23:59"]))
    visitor = as_user(home_visitor)
    assert user.id not in on_duty_ids(visitor)
    assert error_of(start(visitor, user), 400, -2).endswith("[counselor] 该咨询师今日不在值班")
    assert not Conversation.objects.exists()
    user.refresh_from_db()
    assert user.approved is False


@pytest.mark.django_db
@pytest.mark.parametrize("path", VISITOR_DATA)
def test_a_pending_account_sees_no_visitors_data_in_the_workspace(stranger, path):
    _, call = stranger
    assert ws_error(call(W + path, {"id": 1, "year": 2026, "month": 12}), 403, -5) == PENDING


@pytest.mark.django_db
def test_a_pending_account_sees_and_updates_its_own_profile(stranger):
    user, call = stranger
    profile = ws_data(call(f"{W}/user/profile"))
    assert profile["username"] == "stranger" and profile["approved"] is False
    profile.update(name="新来的", organization=user.institution.name, introduction="你好")
    ws_data(call(f"{W}/user/updateProfile", {"profile": profile}))
    assert ws_data(call(f"{W}/user/profile"))["introduction"] == "你好"


@pytest.mark.django_db
def test_a_pending_account_signs_in_to_the_hotline_but_sees_no_records(stranger, anon):
    tokens = result_of(
        anon.post("/auth/login", {"username": "stranger", "password": md5(PASSWORD)}, format="json")
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = result_of(client.get("/auth/me"))
    assert me["username"] == "stranger" and me["approved"] is False
    assert error_of(client.get("/conversation/consultlist"), 403, -5) == PENDING


@pytest.mark.django_db
def test_approval_puts_the_counselor_on_duty_and_withdrawal_takes_it_off(
    stranger, as_user, home_admin, home_visitor
):
    user, call = stranger
    ws_data(set_day(call, today(), ["09:00-10:00"]))
    admin, visitor = as_user(home_admin), as_user(home_visitor)

    approved = result_of(admin.put(f"/user/approve/{user.id}"))
    assert approved["id"] == user.id and approved["approved"] is True
    assert user.id in on_duty_ids(visitor)
    assert ws_data(call(f"{W}/orders")) is not None
    conversation = result_of(start(visitor, user))
    assert conversation["status"] == "IN_PROGRESS"

    withdrawn = result_of(admin.post(f"/user/approve/{user.id}?approved=false"))
    assert withdrawn["approved"] is False
    assert user.id not in on_duty_ids(visitor)
    assert Conversation.objects.get().status == "FINISHED"
    assert ws_error(call(f"{W}/orders"), 403, -5) == PENDING
    entries = list(
        AuditEntry.objects.filter(action__startswith="user.")
        .order_by("created_at")
        .values_list("action", "actor_id", "object_ids")
    )
    assert entries == [
        ("user.approve", home_admin.id, [user.id]),
        ("user.unapprove", home_admin.id, [user.id]),
    ]


@pytest.mark.django_db
def test_an_administrator_of_another_institution_cannot_approve(stranger, as_user, other_admin):
    user, _ = stranger
    error_of(as_user(other_admin).put(f"/user/approve/{user.id}"), 404, -4)
    user.refresh_from_db()
    assert user.approved is False and not AuditEntry.objects.filter(action__startswith="user.").exists()

"""What the original system's clients send and expect (CONTRACT §12), each called exactly as that client
calls it: the admin console, the mini-program and the original API test suite."""

import json
import time

import pytest

from conversations.models import Conversation
from evaluations.models import Evaluation
from tests.helpers import error_of, make_user, md5, put_on_duty, result_of
from users.models import User, UserType

ID_NUMBER = "421124199306160784"  # a valid check digit


def get_with_json_body(client, path, body):
    """The console's habit: a GET whose parameters travel as a JSON body."""
    return client.generic("GET", path, json.dumps(body), content_type="application/json")


def start(client, counselor, **extra):
    return client.put("/conversation", {"counselor": counselor.id, **extra}, format="json")


@pytest.fixture
def counselors(ecnu):
    first = make_user(UserType.COUNSELOR, inst=ecnu, username="wangfang", name="王芳")
    second = make_user(UserType.COUNSELOR, inst=ecnu, username="zhaolei", name="赵磊")
    put_on_duty(first, second)
    return first, second


@pytest.fixture
def sessions(as_user, ecnu, counselors):
    """Three finished sessions: 我爱学习 with 王芳 (rated 2), 小明 with 王芳 (rated 5), 我是谁 with 赵磊."""
    first, second = counselors
    made = []
    for name, counselor, level in (("我爱学习", first, 2), ("小明", first, 5), ("我是谁", second, None)):
        visitor = make_user(UserType.VISITOR, inst=ecnu, name=name)
        session = result_of(start(as_user(visitor), counselor))
        result_of(as_user(visitor).post(f"/conversation/end/{session['id']}"))
        if level is not None:
            body = {"conversationId": session["id"], "objectType": "CONVERSATION", "level": level}
            result_of(as_user(visitor).put("/evaluate", body, format="json"))
        made.append(session)
    return made


# ---- 1. GET parameters in a JSON body -------------------------------------------------------------


@pytest.mark.django_db
def test_consultlist_reads_filters_from_a_json_body_on_get(as_user, inst_admin, sessions):
    admin = as_user(inst_admin)
    rows = result_of(get_with_json_body(admin, "/conversation/consultlist", {"visitorName": "我"}))
    assert sorted(row["user"]["name"] for row in rows) == ["我是谁", "我爱学习"]
    rows = result_of(get_with_json_body(admin, "/conversation/consultlist", {"counselorName": "赵"}))
    assert [row["counselor"]["name"] for row in rows] == ["赵磊"]


@pytest.mark.django_db
def test_consultlist_sorts_and_pages_from_a_json_body(as_user, inst_admin, sessions):
    admin = as_user(inst_admin)
    body = {"property": "level", "direction": "asc", "size": 2}
    response = get_with_json_body(admin, "/conversation/consultlist", body)
    rows = result_of(response)
    assert [row["evaluate"]["level"] for row in rows] == [2, 5]
    assert response.json()["count"] == 3 and response.json()["next"] == 2


@pytest.mark.django_db
def test_consultlist_query_string_wins_over_the_json_body(as_user, inst_admin, sessions):
    response = get_with_json_body(
        as_user(inst_admin), "/conversation/consultlist?visitorName=小明", {"visitorName": "我"}
    )
    assert [row["user"]["name"] for row in result_of(response)] == ["小明"]


@pytest.mark.django_db
def test_consultlist_names_a_bad_field_sent_in_the_json_body(as_user, inst_admin, sessions):
    response = get_with_json_body(as_user(inst_admin), "/conversation/consultlist", {"property": "name"})
    assert "[property]" in error_of(response, 400, -2)


# ---- 2. visitors are NORMAL ------------------------------------------------------------------------


@pytest.mark.django_db
def test_visitor_rows_carry_state_normal(as_user, inst_admin, ecnu, counselors):
    visitor = make_user(UserType.VISITOR, inst=ecnu, name="老访客")
    User.objects.filter(pk=visitor.pk).update(state="")  # created before the rule
    result_of(start(as_user(visitor), counselors[0]))
    rows = result_of(as_user(inst_admin).get("/conversation/consultlist"))
    assert rows[0]["user"]["state"] == "NORMAL"
    staff = User.objects.filter(pk=counselors[0].pk)
    staff.update(state="")
    assert result_of(as_user(counselors[0]).get("/auth/me"))["state"] is None


@pytest.mark.django_db
def test_wechat_visitor_is_created_normal(anon, wechat):
    wechat.sessions["code-1"] = {
        "openid": "oNEWVISITOR0000000000000001",
        "session_key": "c2Vzc2lvbmtleTEyMzQ1Ng==",
    }
    tokens = result_of(anon.post("/auth/wx/wx4f4bc4dec97d474b/login?code=code-1"))
    me = anon.get("/auth/me", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert result_of(me)["state"] == "NORMAL"
    assert User.objects.get(username="oNEWVISITOR0000000000000001").state == "NORMAL"


# ---- 3. an evaluation without a level --------------------------------------------------------------


@pytest.mark.django_db
def test_evaluate_with_the_seeds_example_body(as_user, ecnu, inst_admin, visitor, counselors):
    counselor = counselors[0]
    session = result_of(start(as_user(visitor), counselor))
    result_of(as_user(visitor).post(f"/conversation/end/{session['id']}"))
    body = {"conversationId": session["id"], "objectType": "CONVERSATION"}
    evaluation = result_of(as_user(visitor).put("/evaluate", body, format="json"))
    assert evaluation["level"] is None and evaluation["content"] == ""
    assert Evaluation.objects.get(pk=evaluation["id"]).level is None
    # Counted in no average or ranking.
    now_ms = int(time.time() * 1000)
    day = result_of(as_user(visitor).get(f"/arrange/theday?timestamp={now_ms}&type=COUNSELOR"))
    assert {row["userId"]: row["level"] for row in day}[counselor.id] is None
    assert result_of(as_user(inst_admin).get("/conversation/ratedranking")) == []


@pytest.mark.django_db
def test_unrated_evaluations_leave_the_average_honest(as_user, inst_admin, visitor, sessions, counselors):
    ranking = result_of(as_user(inst_admin).get("/conversation/ratedranking"))
    assert [(row["name"], row["rate"]) for row in ranking] == [("王芳", 3.5)]
    session = next(row for row in sessions if row["counselor"]["id"] == counselors[1].id)
    rater = Conversation.objects.get(pk=session["id"]).user
    result_of(
        as_user(rater).put(
            "/evaluate", {"conversationId": session["id"], "objectType": "CONVERSATION"}, format="json"
        )
    )
    ranking = result_of(as_user(inst_admin).get("/conversation/ratedranking"))
    assert [(row["name"], row["rate"]) for row in ranking] == [("王芳", 3.5)]


@pytest.mark.django_db
def test_a_repeated_evaluation_says_it_exists_before_any_field_check(as_user, sessions):
    rater = Conversation.objects.get(pk=sessions[0]["id"]).user
    for body in (
        {"conversationId": sessions[0]["id"], "objectType": "CONVERSATION"},
        {"conversationId": sessions[0]["id"], "objectType": "CONVERSATION", "level": 9},
        {"conversationId": sessions[0]["id"], "objectType": "OTHER", "level": "x"},
    ):
        assert error_of(as_user(rater).put("/evaluate", body, format="json"), 400, -2) == "评价已存在"


@pytest.mark.django_db
def test_an_evaluation_level_outside_one_to_five_is_refused(as_user, visitor, counselors):
    session = result_of(start(as_user(visitor), counselors[0]))
    body = {"conversationId": session["id"], "objectType": "CONVERSATION", "level": 6}
    assert "[level]" in error_of(as_user(visitor).put("/evaluate", body, format="json"), 400, -2)
    assert not Evaluation.objects.exists()


# ---- 4. staff added without gender, department, title -----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind,user_type", [("supervisor", "SUPERVISOR"), ("counselor", "COUNSELOR")])
def test_console_adds_staff_without_gender_department_title(as_user, inst_admin, kind, user_type):
    body = {
        "username": f"new{kind}",
        "password": md5("pw-123456"),
        "name": "蒋先杰",
        "phoneNumber": "18846837114",
        "idNumber": ID_NUMBER,
    }
    assert result_of(as_user(inst_admin).put(f"/user/ms/{kind}", body, format="json")) == "ok"
    user = User.objects.get(username=f"new{kind}")
    assert user.type == user_type and (user.gender, user.department, user.title) == ("", "", "")


# ---- 5. supervise answers the supervised session ---------------------------------------------------


@pytest.mark.django_db
def test_supervise_answers_the_counselling_session(as_user, visitor, counselors, supervisor):
    counselor = counselors[0]
    counselor.supervisors.add(supervisor)
    session = result_of(start(as_user(visitor), counselor))
    answered = result_of(
        as_user(counselor).put(
            f"/conversation/supervise?supervise={supervisor.id}&conversationId={session['id']}"
        )
    )
    assert answered["id"] == session["id"] and answered["user"]["id"] == visitor.id
    supervision = Conversation.objects.get(parent_id=session["id"])
    assert answered["conversationIds"] == [supervision.pk] and supervision.type == "REQUEST_SUPERVISE"
    other = make_user(UserType.SUPERVISOR, inst=counselor.institution, username="second_sup")
    counselor.supervisors.add(other)
    answered = result_of(
        as_user(counselor).put(f"/conversation/supervise?supervise={other.id}&conversationId={session['id']}")
    )
    newest = Conversation.objects.get(parent_id=session["id"], counselor=other)
    assert answered["conversationIds"] == [supervision.pk, newest.pk]


# ---- 6. staff updated by id in the path ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["supervisor", "counselor"])
def test_console_updates_staff_by_id_in_the_path(as_user, inst_admin, ecnu, kind):
    staff = make_user(UserType[kind.upper()], inst=ecnu, username=f"old{kind}", name="旧名")
    body = {"name": "新名", "department": "心理中心"}
    updated = result_of(as_user(inst_admin).post(f"/user/ms/{kind}/{staff.id}", body, format="json"))
    assert updated["id"] == staff.id and updated["name"] == "新名" and updated["department"] == "心理中心"
    staff.refresh_from_db()
    assert (staff.name, staff.department) == ("新名", "心理中心")
    # The seed's route still names the user by username in the body.
    result_of(
        as_user(inst_admin).post(
            f"/user/ms/{kind}", {"username": staff.username, "title": "讲师"}, format="json"
        )
    )
    staff.refresh_from_db()
    assert staff.title == "讲师"


@pytest.mark.django_db
def test_update_by_id_refuses_what_it_must(as_user, inst_admin, ecnu, other_inst, supervisor, counselor):
    admin = as_user(inst_admin)
    stranger = make_user(UserType.COUNSELOR, inst=other_inst, username="stranger", name="外校")
    error_of(admin.post(f"/user/ms/counselor/{stranger.id}", {"name": "改"}, format="json"), 404, -4)
    error_of(admin.post(f"/user/ms/counselor/{supervisor.id}", {"name": "改"}, format="json"), 404, -4)
    error_of(admin.post("/user/ms/counselor/" + "0" * 32, {"name": "改"}, format="json"), 404, -4)
    message = error_of(
        admin.post(f"/user/ms/counselor/{counselor.id}", {"username": "zhouyu", "name": "改"}, format="json"),
        400,
        -2,
    )
    assert "[username]" in message
    error_of(
        as_user(counselor).post(f"/user/ms/counselor/{counselor.id}", {"name": "改"}, format="json"), 403, -5
    )
    stranger.refresh_from_db()
    counselor.refresh_from_db()
    assert stranger.name == "外校" and counselor.name == "李玫瑾"


# ---- 7. password change with newPassword -----------------------------------------------------------


@pytest.mark.django_db
def test_console_changes_password_with_new_password(as_user, anon, counselor):
    body = {"oldPassword": md5("secret123"), "newPassword": md5("changed456")}
    assert result_of(as_user(counselor).post("/user/password", body, format="json")) == "ok"
    login = {"username": counselor.username, "password": md5("changed456")}
    assert result_of(anon.post("/auth/login", login, format="json"))["access"]


@pytest.mark.django_db
def test_password_change_checks_the_old_password_first(as_user, counselor):
    client = as_user(counselor)
    for body in (
        {"oldPassword": md5("wrong")},
        {"oldPassword": md5("wrong"), "newPassword": "not-an-md5"},
        {"oldPassword": md5("wrong"), "password": md5("x")},
    ):
        assert error_of(client.post("/user/password", body, format="json"), 400, -2) == "原密码错误"
    right = md5("secret123")
    assert "[password]" in error_of(
        client.post("/user/password", {"oldPassword": right}, format="json"), 400, -2
    )
    message = error_of(
        client.post("/user/password", {"oldPassword": right, "newPassword": "short"}, format="json"), 400, -2
    )
    assert "[newPassword]" in message
    mismatch = {"oldPassword": right, "password": md5("a"), "newPassword": md5("b")}
    assert "[newPassword]" in error_of(client.post("/user/password", mismatch, format="json"), 400, -2)
    counselor.refresh_from_db()
    assert counselor.check_password(right)


# ---- 8. a conflicting start names the open session's counsellor ------------------------------------


@pytest.mark.django_db
def test_a_conflicting_start_names_the_counsellor_of_the_open_session(as_user, visitor, counselors):
    first, second = counselors
    result_of(start(as_user(visitor), first))
    message = error_of(start(as_user(visitor), second), 400, -2)
    assert message == "您正在咨询 王芳，请先结束当前会话"
    assert Conversation.objects.filter(user=visitor).count() == 1

"""Workspace auth, orders, dashboard and personal centre (seed 001 首页, 咨询列表, 个人中心, CONTRACT §9)."""

from datetime import date, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consultant.models import Order
from conversations.models import Conversation
from evaluations.models import Evaluation
from hotline.api.timeutil import today
from scheduling.models import Arrangement
from tests.consultant.helpers import ws_data, ws_error
from tests.helpers import make_user
from users.models import UserType
from users.tokens import token_pair

W = "/api/consultant"
DASHBOARD = [
    "today-transactions",
    "category-data",
    "yearly-consultations",
    "time-slot-data",
    "gender-data",
    "age-data",
]


def order_body(**overrides):
    body = {
        "name": "张三",
        "age": "20",
        "gender": "男",
        "type": "在线咨询",
        "date": today().isoformat(),
        "time": "14:30",
        "contact": "13800000000",
        "key_word": ["焦虑", "失眠"],
    }
    body.update(overrides)
    return body


# ---- authentication ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", [f"dashboard/{name}" for name in DASHBOARD] + ["orders", "user/profile"])
def test_user_id_must_match_the_token(anon, ws_user, ecnu, path):
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    token = token_pair(ws_user)["access"]
    for body in (
        {"userID": other.id, "token": token},
        {"token": token},
        {"userID": ws_user.id},
        {"userID": ws_user.id, "token": "garbage"},
    ):
        message = ws_error(anon.post(f"{W}/{path}", body, format="json"), 401, 401)
        assert message == "认证失败：用户ID与Token不匹配或Token已过期"


@pytest.mark.django_db
def test_token_check_runs_before_input_validation(anon, ws_user):
    ws_error(anon.post(f"{W}/orders/create", {"userID": ws_user.id, "name": ""}, format="json"), 401, 401)


@pytest.mark.django_db
def test_bearer_header_is_accepted_too(anon, ws_user):
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair(ws_user)['access']}")
    assert (
        ws_data(anon.post(f"{W}/user/profile", {"userID": ws_user.id}, format="json"))["username"] == "wsuser"
    )


@pytest.mark.django_db
def test_numeric_looking_user_id_is_compared_as_text(anon, ws_user):
    body = {"userID": ws_user.id, "token": token_pair(ws_user)["access"]}
    ws_data(anon.post(f"{W}/user/profile", body, format="json"))


@pytest.mark.django_db
def test_visitors_and_admins_cannot_use_the_workspace(ws, visitor, inst_admin):
    ws_error(ws(f"{W}/user/profile", user=visitor), 403, -5)
    ws_error(ws(f"{W}/orders", user=inst_admin), 403, -5)


# ---- orders ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_and_list_orders(ws):
    created = ws(f"{W}/orders/create", order_body(amount=5000))
    body = created.json()
    assert created.status_code == 200 and body["code"] == 0 and isinstance(body["id"], int)
    data = ws_data(ws(f"{W}/orders", {"page": 1, "pageSize": 10}))
    assert data["total"] == 1
    row = data["data"][0]
    assert row["id"] == body["id"] and row["order_id"].startswith("ZX") and row["status"] == "待接单"
    assert row["age"] == "20" and row["key_word"] == ["焦虑", "失眠"] and row["time"] == "14:30"
    assert row["finish_time"] == "" and row["amount"] == 5000 and len(row["commit_time"]) == 19
    assert set(row) >= {
        "id",
        "order_id",
        "gender",
        "age",
        "type",
        "key_word",
        "date",
        "time",
        "commit_time",
        "finish_time",
        "status",
        "contact",
        "name",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"age": "old"}, "age"),
        ({"age": 0}, "age"),
        ({"gender": "X"}, "gender"),
        ({"type": "电话咨询"}, "type"),
        ({"date": "2026/01/01"}, "date"),
        ({"time": "25:00"}, "time"),
        ({"key_word": "焦虑"}, "key_word"),
        ({"name": ""}, "name"),
        ({"amount": -1}, "amount"),
    ],
)
def test_create_order_validates(ws, overrides, field):
    assert f"[{field}]" in ws_error(ws(f"{W}/orders/create", order_body(**overrides)), 400, -2)


@pytest.mark.django_db
def test_order_filters_and_paging(ws, ws_user):
    for name, kind, day in [
        ("张三", "在线咨询", date(2026, 3, 1)),
        ("张四", "线下咨询", date(2026, 3, 5)),
        ("李五", "在线咨询", date(2026, 3, 9)),
    ]:
        ws_data(ws(f"{W}/orders/create", order_body(name=name, type=kind, date=day.isoformat())))

    def names(**filters):
        return sorted(row["name"] for row in ws_data(ws(f"{W}/orders", filters))["data"])

    assert names(name="张") == ["张三", "张四"]
    assert names(type="线下咨询") == ["张四"]
    assert names(date_start="2026-03-05", date_end="2026-03-09") == ["张四", "李五"]
    assert names(date_start="2026-03-05", date_end="2026-03-05") == ["张四"]
    assert names(status="待接单", name="", type="", date_start="", date_end="") == ["张三", "张四", "李五"]
    assert names(status="已拒绝") == []
    page = ws_data(ws(f"{W}/orders", {"page": 2, "pageSize": 2}))
    assert page["total"] == 3 and len(page["data"]) == 1
    assert "[status]" in ws_error(ws(f"{W}/orders", {"status": "进行中"}), 400, -2)
    assert "[date_start]" in ws_error(ws(f"{W}/orders", {"date_start": "March"}), 400, -2)


@pytest.mark.django_db
def test_a_counselor_sees_only_its_own_orders(ws, ws_user, ecnu):
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    own_id = ws(f"{W}/orders/create", order_body()).json()["id"]
    ws(f"{W}/orders/create", order_body(name="别人的"), user=other)
    assert [row["name"] for row in ws_data(ws(f"{W}/orders"))["data"]] == ["张三"]
    ws_error(ws(f"{W}/orders/accept", {"id": own_id}, user=other), 404, -4)
    assert Order.objects.get(pk=own_id).status == "待接单"


@pytest.mark.django_db
def test_order_lifecycle(ws):
    order_id = ws(f"{W}/orders/create", order_body()).json()["id"]
    assert "待接单" in ws_error(ws(f"{W}/orders/start", {"id": order_id}), 400, -2)
    assert ws_data(ws(f"{W}/orders/accept", {"id": order_id}))["status"] == "等待中"
    assert ws_data(ws(f"{W}/orders/start", {"id": order_id}))["status"] == "咨询中"
    assert "咨询中" in ws_error(ws(f"{W}/orders/reject", {"id": order_id}), 400, -2)
    finished = ws_data(ws(f"{W}/orders/finish", {"id": order_id}))
    assert finished["status"] == "已结束" and finished["finish_time"]
    assert "已结束" in ws_error(ws(f"{W}/orders/finish", {"id": order_id}), 400, -2)


@pytest.mark.django_db
@pytest.mark.parametrize("accept_first", [False, True])
def test_reject_from_pending_or_waiting(ws, accept_first):
    order_id = ws(f"{W}/orders/create", order_body()).json()["id"]
    if accept_first:
        ws_data(ws(f"{W}/orders/accept", {"id": order_id}))
    assert ws_data(ws(f"{W}/orders/reject", {"id": order_id}))["status"] == "已拒绝"
    assert "已拒绝" in ws_error(ws(f"{W}/orders/accept", {"id": order_id}), 400, -2)


@pytest.mark.django_db
def test_order_action_validates_id(ws):
    assert ws_error(ws(f"{W}/orders/accept", {}), 400, -2) == "key [id] not optional"
    ws_error(ws(f"{W}/orders/accept", {"id": 999999}), 404, -4)


# ---- dashboard ------------------------------------------------------------------------------------


def make_order(
    user,
    *,
    name,
    contact="c",
    gender="男",
    age=20,
    kind="在线咨询",
    day=None,
    at=time(9),
    status="待接单",
    amount=0,
    committed=None,
):
    order = Order.objects.create(
        consultant=user,
        order_id=f"T{Order.objects.count()}{name}{contact}",
        name=name,
        age=age,
        gender=gender,
        type=kind,
        key_word=[],
        date=day or today(),
        time=at,
        contact=contact,
        status=status,
        amount=amount,
    )
    if committed is not None:
        Order.objects.filter(pk=order.pk).update(commit_time=committed)
    return order


@pytest.mark.django_db
def test_dashboard_values(ws, ws_user, ecnu):
    year = today().year
    make_order(
        ws_user, name="甲", contact="1", gender="男", age=17, amount=1000, day=date(year, 1, 10), at=time(9)
    )
    make_order(
        ws_user,
        name="甲",
        contact="1",
        gender="男",
        age=17,
        amount=2000,
        day=date(year, 1, 20),
        at=time(9),
        kind="线下咨询",
    )
    make_order(
        ws_user, name="乙", contact="2", gender="女", age=55, amount=500, day=date(year, 3, 1), at=time(14)
    )
    make_order(
        ws_user,
        name="丙",
        contact="3",
        gender="女",
        age=56,
        day=date(year, 3, 2),
        at=time(14),
        committed=timezone.now() - timedelta(days=2),
    )
    make_order(
        ws_user,
        name="丁",
        contact="4",
        gender="男",
        age=30,
        day=date(year - 1, 12, 31),
        at=time(20),
        committed=timezone.now() - timedelta(days=400),
    )
    make_order(ws_user, name="拒", contact="5", gender="男", age=40, amount=9999, status="已拒绝", at=time(7))
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    make_order(other, name="别人", contact="9", age=30, amount=7777)
    Arrangement.objects.create(
        user=ws_user, type="COUNSELOR", date=today(), start_time=time(18), end_time=time(20)
    )

    def dash(name):
        return ws_data(ws(f"{W}/dashboard/{name}"))

    assert dash("today-transactions") == {"count": 3, "amount": 3500}
    assert dash("category-data") == {"online": 4, "outline": 1}
    yearly = dash("yearly-consultations")
    assert (
        yearly["total"] == 3
        and yearly["data"][0] == 2
        and yearly["data"][2] == 2
        and sum(yearly["data"]) == 4
    )
    assert dash("time-slot-data") == {"timeSlots": [9, 14, 18, 20], "appointments": [2, 2, 0, 1]}
    assert dash("gender-data") == {"male": 2, "female": 2}
    assert dash("age-data") == {"values": [1, 0, 1, 0, 1, 1]}


@pytest.mark.django_db
def test_dashboard_of_a_new_counselor_is_zero(ws):
    assert ws_data(ws(f"{W}/dashboard/today-transactions")) == {"count": 0, "amount": 0}
    assert ws_data(ws(f"{W}/dashboard/yearly-consultations")) == {"total": 0, "data": [0] * 12}
    assert ws_data(ws(f"{W}/dashboard/age-data")) == {"values": [0] * 6}
    assert ws_data(ws(f"{W}/dashboard/time-slot-data")) == {"timeSlots": [], "appointments": []}


# ---- personal centre ------------------------------------------------------------------------------

PROFILE_KEYS = {
    "avatar",
    "username",
    "name",
    "phone",
    "email",
    "organization",
    "introduction",
    "experience",
    "expertise",
    "education",
    "certifications",
}


def full_profile(**overrides):
    profile = {
        "username": "wsuser",
        "name": "王老师",
        "phone": "13900002222",
        "email": "w2@example.com",
        "organization": "华东师范大学",
        "introduction": "十年经验",
        "experience": "高校心理中心",
        "expertise": "焦虑",
        "education": "硕士",
        "certifications": "二级咨询师",
    }
    profile.update(overrides)
    return {"profile": profile}


@pytest.mark.django_db
def test_profile_read_and_full_overwrite(ws):
    profile = ws_data(ws(f"{W}/user/profile"))
    assert (
        set(profile) == PROFILE_KEYS
        and profile["introduction"] == ""
        and profile["organization"] == "华东师范大学"
    )
    ws_data(ws(f"{W}/user/updateProfile", full_profile()))
    profile = ws_data(ws(f"{W}/user/profile"))
    assert (
        profile["name"] == "王老师"
        and profile["phone"] == "13900002222"
        and profile["certifications"] == "二级咨询师"
    )
    ws_data(ws(f"{W}/user/updateProfile", full_profile(introduction="", expertise="")))
    assert ws_data(ws(f"{W}/user/profile"))["introduction"] == ""


@pytest.mark.django_db
def test_profile_organization_rules(ws, other_inst):
    assert "不能" in ws_error(
        ws(f"{W}/user/updateProfile", full_profile(organization="上海交通大学")), 403, -5
    )
    assert "organization" in ws_error(
        ws(f"{W}/user/updateProfile", full_profile(organization="不存在大学")), 400, -2
    )
    assert ws_data(ws(f"{W}/user/profile"))["name"] == "王咨询"  # nothing changed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides,field",
    [({"phone": "123"}, "phone"), ({"email": "bad"}, "email"), ({"username": "renamed"}, "username")],
)
def test_profile_update_validates(ws, overrides, field):
    assert field in ws_error(ws(f"{W}/user/updateProfile", full_profile(**overrides)), 400, -2)


@pytest.mark.django_db
def test_profile_update_requires_every_field(ws):
    body = full_profile()
    del body["profile"]["education"]
    assert "[profile.education]" in ws_error(ws(f"{W}/user/updateProfile", body), 400, -2)


@pytest.mark.django_db
def test_profile_contact_must_be_free(ws, ecnu):
    make_user(UserType.COUNSELOR, inst=ecnu, email="taken@example.com")
    assert "已被使用" in ws_error(
        ws(f"{W}/user/updateProfile", full_profile(email="taken@example.com")), 400, -2
    )


@pytest.mark.django_db
def test_avatar_upload(anon, ws_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    token = token_pair(ws_user)["access"]
    png = SimpleUploadedFile("me.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    response = anon.post(
        f"{W}/updateAvatar", {"userID": ws_user.id, "token": token, "avatar": png}, format="multipart"
    )
    url = ws_data(response)["avatar"]
    assert "/file/download?fileName=avatar~wsuser-" in url and url.endswith(".png")
    body = {"userID": ws_user.id, "token": token}
    assert ws_data(anon.post(f"{W}/user/profile", body, format="json"))["avatar"] == url
    image = anon.get("/file/download", {"fileName": url.split("fileName=")[1]})  # no token: usable in <img>
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    mp3 = SimpleUploadedFile("me.png", b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 200)
    assert "[avatar]" in ws_error(
        anon.post(f"{W}/updateAvatar", {**body, "avatar": mp3}, format="multipart"), 400, -2
    )
    assert (
        ws_error(anon.post(f"{W}/updateAvatar", body, format="multipart"), 400, -2)
        == "key [avatar] not optional"
    )
    missing = ws_error(anon.post(f"{W}/updateAvatar", body, format="json"), 400, -2)
    assert missing == "key [avatar] not optional"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/consuntant/user/comments", f"{W}/user/comments"])
def test_comments_newest_first_masked_and_own_only(ws, ws_user, ecnu, path):
    other = make_user(UserType.COUNSELOR, inst=ecnu)
    for index, (visitor_name, level, counselor) in enumerate(
        [("张三", 4, ws_user), ("欧阳娜娜", 5, ws_user), ("李四", 1, other)]
    ):
        visitor = make_user(UserType.VISITOR, inst=ecnu, name=visitor_name)
        conversation = Conversation.objects.create(
            status="FINISHED", user=visitor, counselor=counselor, institution=ecnu
        )
        evaluation = Evaluation.objects.create(
            conversation=conversation, level=level, content=f"评价{index}", creator=visitor
        )
        Evaluation.objects.filter(pk=evaluation.pk).update(
            created_at=timezone.now() - timedelta(hours=10 - index)
        )
    response = ws(path, {"page": 1, "pageSize": 10})
    rows = ws_data(response)
    assert [row["name"] for row in rows] == ["欧阳**", "张*"]
    assert (
        rows[0]["rating"] == "5"
        and rows[0]["content"] == "评价1"
        and rows[0]["organization"] == "华东师范大学"
    )
    assert set(rows[0]) == {"id", "avatar", "username", "name", "organization", "time", "content", "rating"}
    assert response.json()["total"] == 2
    assert len(ws_data(ws(path, {"page": 2, "pageSize": 1}))) == 1

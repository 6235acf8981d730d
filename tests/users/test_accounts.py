"""Account management by administrators and self-service (seed §5–21, CONTRACT §3)."""

import pytest

from tests.helpers import error_of, make_user, md5, result_of
from users.models import User, UserType

VALID_ID = "421124199306160784"
VALID_ID_X = "43230019950616001X"


def staff_body(username="newcounselor", **overrides):
    body = {
        "username": username,
        "password": md5("pw-123456"),
        "name": "蒋先杰",
        "gender": "男",
        "phoneNumber": "18846837114",
        "idNumber": VALID_ID,
        "department": "华泉",
        "title": "11",
    }
    body.update(overrides)
    return body


# ---- /user/ms -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_adds_backend_user_who_can_log_in(as_user, anon, inst_admin):
    body = {"username": "sup1", "password": md5("pw"), "role": "ROLE_SUPERVISOR"}
    assert result_of(as_user(inst_admin).put("/user/ms", body, format="json")) == "ok"
    user = User.objects.get(username="sup1")
    assert user.type == UserType.SUPERVISOR and user.institution_id == inst_admin.institution_id
    result_of(anon.post("/auth/login", {"username": "sup1", "password": md5("pw")}, format="json"))


@pytest.mark.django_db
def test_duplicate_username_answers_minus_2(as_user, inst_admin, counselor):
    body = {"username": "liMeijin", "password": md5("pw"), "role": "ROLE_COUNSELOR"}
    assert error_of(as_user(inst_admin).put("/user/ms", body, format="json"), 400, -2) == "用户名已存在！"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,field",
    [
        ({"username": "u1", "password": md5("pw")}, "role"),
        ({"username": "u1", "password": md5("pw"), "role": "ROLE_KING"}, "role"),
        ({"username": "u1", "password": md5("pw"), "role": "ROLE_VISITOR"}, "role"),
        ({"username": "u 1", "password": md5("pw"), "role": "ROLE_COUNSELOR"}, "username"),
        ({"username": "u1", "password": "123456", "role": "ROLE_COUNSELOR"}, "password"),
    ],
)
def test_add_backend_user_validates_fields(as_user, inst_admin, body, field):
    message = error_of(as_user(inst_admin).put("/user/ms", body, format="json"), 400, -2)
    assert f"[{field}]" in message


@pytest.mark.django_db
def test_missing_field_message_follows_the_seed(as_user, inst_admin):
    body = {"username": "u1", "password": md5("pw")}
    assert (
        error_of(as_user(inst_admin).put("/user/ms", body, format="json"), 400, -2)
        == "key [role] not optional"
    )


@pytest.mark.django_db
def test_institution_admin_cannot_create_system_admin(as_user, inst_admin):
    body = {"username": "boss", "password": md5("pw"), "role": "ROLE_SYSTEM_ADMINISTRATOR"}
    error_of(as_user(inst_admin).put("/user/ms", body, format="json"), 403, -5)
    assert not User.objects.filter(username="boss").exists()


@pytest.mark.django_db
def test_system_admin_creates_in_a_named_institution(as_user, sysadmin, other_inst):
    body = {
        "username": "boss",
        "password": md5("pw"),
        "role": "ROLE_INSTITUTION_ADMINISTRATOR",
        "institutionCode": "sjtu",
    }
    result_of(as_user(sysadmin).put("/user/ms", body, format="json"))
    assert User.objects.get(username="boss").institution == other_inst
    body.update(username="boss2", institutionCode="nowhere")
    assert "[institutionCode]" in error_of(as_user(sysadmin).put("/user/ms", body, format="json"), 400, -2)


@pytest.mark.django_db
def test_institution_admin_cannot_name_another_institution(as_user, inst_admin, other_inst):
    body = {"username": "x1", "password": md5("pw"), "role": "ROLE_COUNSELOR", "institutionCode": "sjtu"}
    error_of(as_user(inst_admin).put("/user/ms", body, format="json"), 403, -5)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [UserType.COUNSELOR, UserType.SUPERVISOR, UserType.VISITOR])
def test_non_administrators_cannot_manage_users(as_user, ecnu, role):
    actor = make_user(role, inst=ecnu)
    body = {"username": "x1", "password": md5("pw"), "role": "ROLE_COUNSELOR"}
    error_of(as_user(actor).put("/user/ms", body, format="json"), 403, -5)
    error_of(as_user(actor).get("/user/list"), 403, -5)
    error_of(as_user(actor).get("/user/ms/counselor/list"), 403, -5)
    error_of(as_user(actor).put("/user/ms/counselor", staff_body(), format="json"), 403, -5)
    error_of(as_user(actor).post(f"/user/ban/{actor.id}"), 403, -5)


@pytest.mark.django_db
def test_anonymous_cannot_manage_users(anon):
    error_of(anon.put("/user/ms", {}, format="json"), 401, 401)
    error_of(anon.get("/user/list"), 401, 401)


# ---- /user/list ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_user_list_is_paged_newest_first_and_scoped(as_user, inst_admin, other_admin, ecnu):
    users = [make_user(UserType.COUNSELOR, inst=ecnu, username=f"c{i}") for i in range(3)]
    response = as_user(inst_admin).get("/user/list", {"page": 1, "size": 2})
    body = response.json()
    # three counsellors (administrators are the level above's)
    assert body["count"] == 3 and body["next"] == 2
    assert [row["username"] for row in body["result"]] == ["c2", "c1"]
    page2 = as_user(inst_admin).get("/user/list", {"page": 2, "size": 2}).json()
    assert page2["next"] is None and len(page2["result"]) == 1
    assert "sjtu_admin" not in [row["username"] for row in page2["result"]]
    assert users[0].username in [row["username"] for row in page2["result"]]


@pytest.mark.django_db
def test_user_list_filters_by_type_username_and_name(as_user, inst_admin, visitor, counselor):
    visitors = result_of(as_user(inst_admin).get("/user/list", {"type": "VISITOR"}))
    assert [row["username"] for row in visitors] == [visitor.username]
    assert visitors[0]["roles"] == "ROLE_VISITOR" and visitors[0]["supervisors"] is None
    by_name = result_of(as_user(inst_admin).get("/user/list", {"name": "玫"}))
    assert [row["username"] for row in by_name] == ["liMeijin"]
    by_username = result_of(as_user(inst_admin).get("/user/list", {"username": "meiJ"}))
    assert [row["username"] for row in by_username] == ["liMeijin"]
    assert "[type]" in error_of(as_user(inst_admin).get("/user/list", {"type": "KING"}), 400, -2)


@pytest.mark.django_db
def test_system_admin_sees_every_institution(as_user, sysadmin, other_admin):
    usernames = [row["username"] for row in result_of(as_user(sysadmin).get("/user/list", {"size": 100}))]
    assert "sjtu_admin" in usernames and "root" in usernames


@pytest.mark.django_db
def test_paging_parameters_are_checked_and_capped(as_user, inst_admin, ecnu):
    for index in range(12):
        make_user(UserType.VISITOR, inst=ecnu, username=f"pv{index}")
    admin = as_user(inst_admin)
    assert "[page]" in error_of(admin.get("/user/list", {"page": "x"}), 400, -2)
    assert "[size]" in error_of(admin.get("/user/list", {"size": "-1"}), 400, -2)
    body = admin.get("/user/list", {"page": 0, "size": 0}).json()  # 0 reads as page 1 and size 10
    assert body["count"] == 12 and len(body["result"]) == 10 and body["next"] == 2
    body = admin.get("/user/list", {"size": 1000}).json()
    assert len(body["result"]) == 12 and body["next"] is None


@pytest.mark.django_db
def test_user_list_runs_a_fixed_number_of_queries(
    as_user, inst_admin, ecnu, supervisor, django_assert_max_num_queries
):
    for index in range(15):
        user = make_user(UserType.COUNSELOR, inst=ecnu, username=f"q{index}")
        user.supervisors.add(supervisor)
    client = as_user(inst_admin)
    # 1 the caller (token check), 1 count, 1 page of users with their institution, 1 supervisors prefetch
    with django_assert_max_num_queries(4):
        rows = result_of(client.get("/user/list", {"size": 100}))
    assert len(rows) == 16


# ---- supervisors and counsellors ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind,user_type", [("supervisor", "SUPERVISOR"), ("counselor", "COUNSELOR")])
def test_add_list_update_delete_staff(as_user, anon, inst_admin, kind, user_type):
    admin = as_user(inst_admin)
    assert result_of(admin.put(f"/user/ms/{kind}", staff_body(), format="json")) == "ok"
    rows = result_of(admin.get(f"/user/ms/{kind}/list"))
    assert [row["username"] for row in rows] == ["newcounselor"]
    row = rows[0]
    assert row["type"] == user_type and row["roles"] == f"ROLE_{user_type}"
    assert row["idNumber"] == VALID_ID and row["age"] >= 30 and row["institutionCode"] == "ecnu"
    updated = result_of(
        admin.post(
            f"/user/ms/{kind}",
            {
                "username": "newcounselor",
                "title": "一级",
                "qualification": "三级",
                "qualificationcode": "1000",
                "email": "a@b.cn",
            },
            format="json",
        )
    )
    assert updated["title"] == "一级" and updated["name"] == "蒋先杰"  # untouched fields stay
    assert updated["qualificationCode"] == "1000" and updated["email"] == "a@b.cn"
    assert result_of(admin.delete(f"/user/ms/{kind}/newcounselor")) == "ok"
    assert result_of(admin.get(f"/user/ms/{kind}/list")) == []
    error_of(
        anon.post("/auth/login", {"username": "newcounselor", "password": md5("pw-123456")}, format="json"),
        401,
        -3,
    )
    assert User.objects.filter(username="newcounselor", deleted_at__isnull=False).exists()
    error_of(admin.delete(f"/user/ms/{kind}/newcounselor"), 404, -4)
    assert error_of(admin.put(f"/user/ms/{kind}", staff_body(), format="json"), 400, -2) == "用户名已存在！"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "override,field",
    [
        ({"phoneNumber": "12345"}, "phoneNumber"),
        ({"phoneNumber": "10846837114"}, "phoneNumber"),
        ({"idNumber": "421124199306160783"}, "idNumber"),
        ({"idNumber": "42112419930616078"}, "idNumber"),
        ({"gender": "M"}, "gender"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"idNumber": None}, "idNumber"),
    ],
)
def test_add_staff_validates_each_field(as_user, inst_admin, override, field):
    body = staff_body(**override)
    if override.get("idNumber", "") is None:
        body.pop("idNumber")
    message = error_of(as_user(inst_admin).put("/user/ms/counselor", body, format="json"), 400, -2)
    assert f"[{field}]" in message


@pytest.mark.django_db
def test_id_number_with_x_check_digit_is_accepted(as_user, inst_admin):
    body = staff_body(idNumber=VALID_ID_X.lower())
    result_of(as_user(inst_admin).put("/user/ms/counselor", body, format="json"))
    assert User.objects.get(username="newcounselor").id_number == VALID_ID_X


@pytest.mark.django_db
def test_staff_list_filters(as_user, inst_admin, ecnu):
    make_user(
        UserType.COUNSELOR,
        inst=ecnu,
        username="a1",
        name="张三",
        department="心理中心",
        gender="男",
        phone_number="13800000001",
    )
    make_user(
        UserType.COUNSELOR,
        inst=ecnu,
        username="a2",
        name="李四",
        department="教务处",
        gender="女",
        phone_number="13900000002",
    )
    admin = as_user(inst_admin)

    def names(**params):
        return [row["username"] for row in result_of(admin.get("/user/ms/counselor/list", params))]

    assert names(name="张") == ["a1"]
    assert names(department="教务") == ["a2"]
    assert names(gender="女") == ["a2"]
    assert names(phoneNumber="0000000") == ["a2", "a1"]
    assert names(gender="男", department="教务") == []


@pytest.mark.django_db
def test_counselor_supervisor_binding(as_user, inst_admin, supervisor, counselor, other_inst):
    admin = as_user(inst_admin)
    bound = result_of(
        admin.post(
            "/user/ms/counselor", {"username": "liMeijin", "supervisors": [supervisor.id]}, format="json"
        )
    )
    assert bound["supervisors"] == [supervisor.id]
    unchanged = result_of(
        admin.post("/user/ms/counselor", {"username": "liMeijin", "title": "x"}, format="json")
    )
    assert unchanged["supervisors"] == [supervisor.id]
    stranger = make_user(UserType.SUPERVISOR, inst=other_inst)
    for bad in (["0" * 32], [stranger.id], [counselor.id]):
        message = error_of(
            admin.post("/user/ms/counselor", {"username": "liMeijin", "supervisors": bad}, format="json"),
            400,
            -2,
        )
        assert "[supervisors]" in message
    cleared = result_of(
        admin.post("/user/ms/counselor", {"username": "liMeijin", "supervisors": []}, format="json")
    )
    assert cleared["supervisors"] == []


@pytest.mark.django_db
def test_update_with_password_changes_it(as_user, anon, inst_admin, counselor):
    result_of(
        as_user(inst_admin).post(
            "/user/ms/counselor", {"username": "liMeijin", "password": md5("new-pw")}, format="json"
        )
    )
    result_of(anon.post("/auth/login", {"username": "liMeijin", "password": md5("new-pw")}, format="json"))


@pytest.mark.django_db
def test_update_reads_query_string_too(as_user, inst_admin, supervisor):
    updated = result_of(as_user(inst_admin).post("/user/ms/supervisor?username=zhouyu&title=教授"))
    assert updated["title"] == "教授"


@pytest.mark.django_db
def test_update_of_wrong_kind_or_unknown_user_is_404(as_user, inst_admin, counselor):
    error_of(
        as_user(inst_admin).post("/user/ms/supervisor", {"username": "liMeijin"}, format="json"), 404, -4
    )
    error_of(as_user(inst_admin).post("/user/ms/counselor", {"username": "ghost"}, format="json"), 404, -4)
    error_of(as_user(inst_admin).delete("/user/ms/supervisor/liMeijin"), 404, -4)


@pytest.mark.django_db
def test_other_institution_objects_answer_404_and_change_nothing(as_user, other_admin, counselor, supervisor):
    admin = as_user(other_admin)
    error_of(
        admin.post("/user/ms/counselor", {"username": "liMeijin", "title": "hacked"}, format="json"), 404, -4
    )
    error_of(admin.delete("/user/ms/counselor/liMeijin"), 404, -4)
    error_of(admin.delete("/user/ms/supervisor/zhouyu"), 404, -4)
    error_of(admin.post(f"/user/ban/{counselor.id}"), 404, -4)
    error_of(admin.post(f"/user/active/{counselor.id}"), 404, -4)
    counselor.refresh_from_db()
    assert counselor.title == "" and counselor.enabled and counselor.deleted_at is None
    assert result_of(admin.get("/user/ms/counselor/list")) == []


@pytest.mark.django_db
def test_institution_admin_cannot_touch_system_admin(as_user, inst_admin, sysadmin):
    error_of(as_user(inst_admin).post(f"/user/ban/{sysadmin.id}"), 404, -4)
    sysadmin.refresh_from_db()
    assert sysadmin.enabled


@pytest.mark.django_db
def test_deleting_a_supervisor_unbinds_it(as_user, inst_admin, supervisor, counselor):
    counselor.supervisors.add(supervisor)
    result_of(as_user(inst_admin).delete("/user/ms/supervisor/zhouyu"))
    assert list(counselor.supervisors.all()) == []


# ---- ban / active ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ban_and_reactivate_a_visitor(as_user, inst_admin, visitor):
    admin = as_user(inst_admin)
    visitor_client = as_user(visitor)
    assert result_of(admin.post(f"/user/ban/{visitor.id}")) == "ok"
    error_of(visitor_client.get("/auth/me"), 401, 401)
    row = result_of(admin.get("/user/list", {"type": "VISITOR"}))[0]
    assert row["enabled"] is False
    assert result_of(admin.post(f"/user/active/{visitor.id}")) == "ok"
    assert result_of(as_user(visitor).get("/auth/me"))["enabled"] is True


@pytest.mark.django_db
def test_ban_unknown_id_is_404_and_self_ban_refused(as_user, inst_admin, sysadmin):
    error_of(as_user(inst_admin).post("/user/ban/" + "0" * 32), 404, -4)
    error_of(as_user(inst_admin).post(f"/user/ban/{inst_admin.id}"), 404, -4)  # not its own administrator
    error_of(as_user(sysadmin).post(f"/user/ban/{sysadmin.id}"), 400, -2)


@pytest.mark.django_db
def test_institution_administrators_leave_peer_administrators_to_the_level_above(
    as_user, inst_admin, sysadmin, ecnu
):
    peer = make_user(UserType.INSTITUTION, inst=ecnu, username="peer_admin", name="同级管理员")
    error_of(as_user(inst_admin).post(f"/user/ban/{peer.id}"), 404, -4)
    body = {
        "username": "another_admin",
        "password": md5("pw-123456"),
        "role": "ROLE_INSTITUTION_ADMINISTRATOR",
    }
    error_of(as_user(inst_admin).put("/user/ms", body, format="json"), 403, -5)
    assert not User.objects.filter(username="another_admin").exists()
    peer.refresh_from_db()
    assert peer.enabled
    result_of(as_user(sysadmin).post(f"/user/ban/{peer.id}"))
    peer.refresh_from_db()
    assert not peer.enabled
    result_of(as_user(sysadmin).put("/user/ms", body, format="json"))


# ---- self-service ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_change_password(as_user, anon, counselor):
    client = as_user(counselor)
    body = {"oldPassword": md5("wrong"), "password": md5("brand-new")}
    assert error_of(client.post("/user/password", body, format="json"), 400, -2) == "原密码错误"
    body["oldPassword"] = md5("secret123")
    assert result_of(client.post("/user/password", body, format="json")) == "ok"
    error_of(client.get("/auth/me"), 401, 401)  # every session ends with the old password
    old = {"username": "liMeijin", "password": md5("secret123")}
    error_of(anon.post("/auth/login", old, format="json"), 401, -3)
    new = {"username": "liMeijin", "password": md5("brand-new")}
    pair = result_of(anon.post("/auth/login", new, format="json"))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    short = {"oldPassword": md5("brand-new"), "password": "short"}
    assert "[password]" in error_of(anon.post("/user/password", short, format="json"), 400, -2)


@pytest.mark.django_db
def test_password_change_revokes_refresh_tokens(anon, counselor):
    pair = result_of(
        anon.post("/auth/login", {"username": "liMeijin", "password": md5("secret123")}, format="json")
    )
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    result_of(
        anon.post(
            "/user/password", {"oldPassword": md5("secret123"), "password": md5("next-one")}, format="json"
        )
    )
    error_of(anon.post("/auth/refresh", {"refresh": pair["refresh"]}, format="json"), 401, 401)


@pytest.mark.django_db
def test_visitor_updates_own_profile(as_user, visitor):
    body = {
        "name": "蒋先杰",
        "phoneNumber": "18846837114",
        "emergencyContact": "蒋峰",
        "emergencyPhone": "13011011101",
        "avatarUrl": "https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132",
        "username": "someone-else",
        "gender": "女",
    }
    result = result_of(as_user(visitor).post("/user/update", body, format="json"))
    assert result["name"] == "蒋先杰" and result["emergencyContact"] == "蒋峰"
    assert result["emergencyPhone"] == "13011011101" and result["username"] == visitor.username
    assert result["avatarUrl"] == body["avatarUrl"] and result["type"] == "VISITOR"
    partial = result_of(as_user(visitor).post("/user/update", {"name": "小蒋"}, format="json"))
    assert partial["name"] == "小蒋" and partial["phoneNumber"] == "18846837114"


@pytest.mark.django_db
def test_visitor_update_validates_fields(as_user, visitor):
    message = error_of(as_user(visitor).post("/user/update", {"phoneNumber": "123"}, format="json"), 400, -2)
    assert "[phoneNumber]" in message
    assert "[emergencyPhone]" in error_of(
        as_user(visitor).post("/user/update", {"emergencyPhone": "abc"}, format="json"), 400, -2
    )


@pytest.mark.django_db
def test_non_visitor_cannot_use_visitor_update(as_user, counselor):
    message = error_of(as_user(counselor).post("/user/update", {"name": "x"}, format="json"), 403, -5)
    assert message == "您不是访客，请勿修改"


@pytest.mark.django_db
def test_counselor_sets_own_max_consults(as_user, counselor, supervisor):
    result = result_of(as_user(counselor).post("/user/maxconsults", {"maxConsults": 8}, format="json"))
    assert result["maxConsults"] == 8 and result["username"] == "liMeijin"
    for bad in (0, 21, "many", None):
        assert "[maxConsults]" in error_of(
            as_user(counselor).post("/user/maxconsults", {"maxConsults": bad}, format="json"), 400, -2
        )
    error_of(as_user(supervisor).post("/user/maxconsults", {"maxConsults": 3}, format="json"), 403, -5)


@pytest.mark.django_db
def test_id_number_is_hidden_from_other_non_admins(as_user, counselor, inst_admin):
    counselor.id_number = VALID_ID
    counselor.save()
    assert result_of(as_user(counselor).get("/auth/me"))["idNumber"] == VALID_ID
    row = result_of(as_user(inst_admin).get("/user/ms/counselor/list"))[0]
    assert row["idNumber"] == VALID_ID


@pytest.mark.django_db
def test_user_json_carries_the_seed_fields(as_user, inst_admin, counselor):
    row = result_of(as_user(inst_admin).get("/user/ms/counselor/list"))[0]
    expected = {
        "id",
        "createTime",
        "createdTime",
        "creator",
        "lastUpdateTime",
        "lastUpdater",
        "institutionCode",
        "openId",
        "name",
        "username",
        "avatarUrl",
        "type",
        "gender",
        "phoneNumber",
        "email",
        "idNumber",
        "department",
        "title",
        "age",
        "state",
        "avatar",
        "totalTime",
        "qualification",
        "qualificationCode",
        "supervisors",
        "activated",
        "activateTime",
        "roles",
        "emergencyContact",
        "emergencyPhone",
        "maxConsults",
        "authorities",
        "enabled",
        "accountNonExpired",
        "accountNonLocked",
        "credentialsNonExpired",
        "subscribe",
    }
    assert expected <= set(row)
    assert len(row["id"]) == 32 and all(c in "0123456789abcdef" for c in row["id"])
    assert isinstance(row["createTime"], int) and row["createTime"] == row["createdTime"]
    assert row["maxConsults"] == 5 and row["totalTime"] == 0 and row["supervisors"] == []


@pytest.mark.django_db
def test_config_is_public_and_lists_the_vocabularies(anon):
    config = result_of(anon.get("/config"))
    assert config["conversationStatus"] == {
        "WAITING": "等待中",
        "IN_PROGRESS": "进行中",
        "TIME_OUT": "已超时",
        "FINISHED": "已结束",
    }
    assert config["conversationType"] == {"COUNSELING_SESSION": "咨询会话", "REQUEST_SUPERVISE": "请求督导"}
    assert (
        config["userRoles"]["ROLE_COUNSELOR"] == "咨询师" and config["userRoles"]["ROLE_SUPERVISOR"] == "督导"
    )
    assert config["userType"]["VISITOR"] == "访客" and config["counselor"] == {"maxConsults": 5}
    paragraph = config["information"][0]
    assert paragraph["name"] == "p" and paragraph["attrs"]["class"] == "richText"
    assert paragraph["children"][0]["text"].startswith("感谢您对我们热线平台的信任")


@pytest.mark.django_db
def test_config_follows_the_operator_edited_consent(anon):
    from users.models import ConsentDocument

    ConsentDocument.objects.update(
        information=[{"name": "p", "children": [{"type": "text", "text": "新版"}]}]
    )
    assert result_of(anon.get("/config"))["information"][0]["children"][0]["text"] == "新版"

"""Quick replies (CONTRACT §10): the institution's shared replies then the caller's own; personal ones for
any staff member, shared ones by administrators; edits and deletions of one's own or, for administrators,
of their institution's shared ones; visitors 403 everywhere."""

import pytest

from hotline.limits import QUICK_REPLIES_MAX
from quickreplies.models import QuickReply
from tests.helpers import error_of, make_user, result_of
from users.models import UserType

pytestmark = pytest.mark.django_db


def create(client, content, scope=None):
    body = {"content": content} if scope is None else {"content": content, "scope": scope}
    return client.put("/quickreply", body, format="json")


def listed(client):
    return [(row["content"], row["scope"]) for row in result_of(client.get("/quickreply"))]


@pytest.fixture
def peer(ecnu):
    return make_user(UserType.COUNSELOR, inst=ecnu, username="peer_counselor")


@pytest.fixture
def foreign_counselor(other_inst):
    return make_user(UserType.COUNSELOR, inst=other_inst, username="sjtu_counselor")


def test_a_counsellor_creates_a_personal_reply_by_default(as_user, counselor):
    reply = result_of(create(as_user(counselor), "  您好，我在听。  "))
    assert reply["content"] == "您好，我在听。" and reply["scope"] == "PERSONAL"
    assert len(reply["id"]) == 32 and reply["createTime"] > 0
    stored = QuickReply.objects.get(pk=reply["id"])
    assert stored.owner_id == counselor.pk and stored.shared_institution_id is None


def test_the_list_shows_the_institution_replies_then_ones_own(
    as_user, inst_admin, counselor, supervisor, peer, other_admin, foreign_counselor
):
    result_of(create(as_user(counselor), "我的一"))
    result_of(create(as_user(inst_admin), "机构一", "INSTITUTION"))
    result_of(create(as_user(counselor), "我的二"))
    result_of(create(as_user(inst_admin), "机构二", "INSTITUTION"))
    result_of(create(as_user(peer), "同事的"))
    result_of(create(as_user(supervisor), "督导的"))
    result_of(create(as_user(other_admin), "外校机构", "INSTITUTION"))
    result_of(create(as_user(foreign_counselor), "外校个人"))
    assert listed(as_user(counselor)) == [
        ("机构一", "INSTITUTION"),
        ("机构二", "INSTITUTION"),
        ("我的一", "PERSONAL"),
        ("我的二", "PERSONAL"),
    ]
    assert listed(as_user(supervisor)) == [
        ("机构一", "INSTITUTION"),
        ("机构二", "INSTITUTION"),
        ("督导的", "PERSONAL"),
    ]
    assert listed(as_user(inst_admin)) == [("机构一", "INSTITUTION"), ("机构二", "INSTITUTION")]
    assert listed(as_user(foreign_counselor)) == [("外校机构", "INSTITUTION"), ("外校个人", "PERSONAL")]


def test_a_system_administrator_sees_every_shared_reply_and_only_its_own_personal_ones(
    as_user, sysadmin, inst_admin, counselor, other_admin
):
    result_of(create(as_user(inst_admin), "华师", "INSTITUTION"))
    result_of(create(as_user(other_admin), "交大", "INSTITUTION"))
    result_of(create(as_user(counselor), "咨询师的"))
    result_of(create(as_user(sysadmin), "管理员的"))
    assert sorted(listed(as_user(sysadmin))) == sorted(
        [("华师", "INSTITUTION"), ("交大", "INSTITUTION"), ("管理员的", "PERSONAL")]
    )


def test_the_list_runs_one_query(as_user, counselor, inst_admin, django_assert_num_queries):
    for index in range(5):
        result_of(create(as_user(counselor), f"个人{index}"))
        result_of(create(as_user(inst_admin), f"机构{index}", "INSTITUTION"))
    client = as_user(counselor)
    # the caller's row (token check), the replies
    with django_assert_num_queries(2):
        assert len(result_of(client.get("/quickreply"))) == 10


@pytest.mark.parametrize("role", ["counselor", "supervisor"])
def test_staff_may_not_create_institution_replies(as_user, role, request):
    user = request.getfixturevalue(role)
    assert error_of(create(as_user(user), "共享", "INSTITUTION"), 403, -5)
    assert not QuickReply.objects.exists()


@pytest.mark.parametrize("role", ["inst_admin", "sysadmin"])
def test_administrators_create_shared_replies_of_their_institution(as_user, role, request, ecnu):
    user = request.getfixturevalue(role)
    reply = result_of(create(as_user(user), "共享", "INSTITUTION"))
    assert reply["scope"] == "INSTITUTION"
    assert QuickReply.objects.get(pk=reply["id"]).shared_institution_id == ecnu.pk


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "content"),
        ({"content": ""}, "content"),
        ({"content": "   "}, "content"),
        ({"content": "字" * 501}, "content"),
        ({"content": ["a"]}, "content"),
        ({"content": "好", "scope": "GLOBAL"}, "scope"),
    ],
)
def test_bad_input_is_refused_naming_the_field(as_user, counselor, body, field):
    assert field in error_of(as_user(counselor).put("/quickreply", body, format="json"), 400, -2)
    assert not QuickReply.objects.exists()


def test_500_characters_are_accepted(as_user, counselor):
    assert len(result_of(create(as_user(counselor), "字" * 500))["content"]) == 500


def test_the_number_of_replies_is_bounded(as_user, counselor):
    QuickReply.objects.bulk_create(
        QuickReply(scope="PERSONAL", content=f"{i}", owner=counselor) for i in range(QUICK_REPLIES_MAX)
    )
    error_of(create(as_user(counselor), "再一条"), 400, -2)
    assert QuickReply.objects.count() == QUICK_REPLIES_MAX


def test_one_edits_and_deletes_ones_own_reply(as_user, counselor):
    client = as_user(counselor)
    reply = result_of(create(client, "旧"))
    edited = result_of(client.post(f"/quickreply/{reply['id']}", {"content": "新"}, format="json"))
    assert edited == {**reply, "content": "新"}
    assert "content" in error_of(client.post(f"/quickreply/{reply['id']}", {}, format="json"), 400, -2)
    assert result_of(client.delete(f"/quickreply/{reply['id']}")) == "ok"
    assert not QuickReply.objects.exists()
    error_of(client.delete(f"/quickreply/{reply['id']}"), 404, -4)


def test_others_replies_answer_404_and_stay(
    as_user, counselor, peer, inst_admin, sysadmin, foreign_counselor
):
    personal = result_of(create(as_user(peer), "同事的"))["id"]
    shared = result_of(create(as_user(inst_admin), "机构的", "INSTITUTION"))["id"]
    for user, reply_id in [
        (counselor, personal),  # a colleague's
        (counselor, shared),  # staff do not change shared replies
        (foreign_counselor, shared),
        (inst_admin, personal),  # an administrator does not touch staff's personal replies
        (sysadmin, personal),
    ]:
        client = as_user(user)
        error_of(client.post(f"/quickreply/{reply_id}", {"content": "改"}, format="json"), 404, -4)
        error_of(client.delete(f"/quickreply/{reply_id}"), 404, -4)
    assert sorted(QuickReply.objects.values_list("content", flat=True)) == ["同事的", "机构的"]


def test_administrators_of_the_institution_edit_and_delete_its_shared_replies(
    as_user, inst_admin, sysadmin, other_admin, ecnu
):
    second_admin = make_user(UserType.INSTITUTION, inst=ecnu, username="ecnu_admin2")
    shared = result_of(create(as_user(inst_admin), "机构的", "INSTITUTION"))["id"]
    error_of(as_user(other_admin).post(f"/quickreply/{shared}", {"content": "改"}, format="json"), 404, -4)
    result_of(as_user(second_admin).post(f"/quickreply/{shared}", {"content": "二改"}, format="json"))
    result_of(as_user(sysadmin).post(f"/quickreply/{shared}", {"content": "三改"}, format="json"))
    assert QuickReply.objects.get(pk=shared).content == "三改"
    result_of(as_user(second_admin).delete(f"/quickreply/{shared}"))
    assert not QuickReply.objects.exists()


def test_visitors_are_refused_everywhere(as_user, visitor, counselor):
    reply = result_of(create(as_user(counselor), "我的"))["id"]
    client = as_user(visitor)
    error_of(client.get("/quickreply"), 403, -5)
    error_of(create(client, "访客的"), 403, -5)
    error_of(client.post(f"/quickreply/{reply}", {"content": "改"}, format="json"), 403, -5)
    error_of(client.delete(f"/quickreply/{reply}"), 403, -5)
    assert list(QuickReply.objects.values_list("content", flat=True)) == ["我的"]


def test_an_account_pending_approval_is_refused(as_user, ecnu):
    pending = make_user(UserType.COUNSELOR, inst=ecnu, approved=False)
    assert error_of(as_user(pending).get("/quickreply"), 403, -5) == "账号待审核"
    error_of(create(as_user(pending), "我的"), 403, -5)


def test_anonymous_callers_get_401(anon):
    error_of(anon.get("/quickreply"), 401, 401)
    error_of(create(anon, "匿名"), 401, 401)

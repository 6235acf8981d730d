"""Personal centre: profile read and overwrite, avatar, visitors' comments (seed 001 个人中心, CONTRACT §9)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conversations.models import Conversation
from evaluations.models import Evaluation
from tests.consultant.helpers import W, ws_data, ws_error
from tests.helpers import make_user
from users.models import UserType
from users.tokens import token_pair


@pytest.mark.django_db
def test_profile_keeps_a_login_name_and_its_organization(ws):
    profile = {
        "username": "wsuser",
        "name": "王",
        "phone": "",
        "email": "",
        "organization": "华东师范大学",
        "introduction": "",
        "experience": "",
        "expertise": "",
        "education": "",
        "certifications": "",
    }
    assert "[profile.email]" in ws_error(ws(f"{W}/user/updateProfile", {"profile": profile}), 400, -2)
    profile.update(email="w@example.com", organization="")
    assert "[profile.organization]" in ws_error(ws(f"{W}/user/updateProfile", {"profile": profile}), 400, -2)


PROFILE_KEYS = {
    "avatar",
    "username",
    "name",
    "phone",
    "email",
    "organization",
    "approved",
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

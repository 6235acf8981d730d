"""Who may download a chat file (CONTRACT §11, issue 12): its uploader, the readers of a conversation
whose messages link it, or the holder of a signed link; access tokens never travel in URLs."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conversations.models import Conversation
from messages.files import link_signature
from tests.helpers import client_for, error_of, make_user, result_of
from tests.messages.helpers import message, post_callback, read
from users.models import UserType
from users.tokens import token_pair

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 2000


def upload(user, content=MP3):
    """The upload's answer as the uploader gets it: `fileName` and a signed `url`."""
    return result_of(
        client_for(user).post(
            "/file/upload", {"file": SimpleUploadedFile("v.mp3", content)}, format="multipart"
        )
    )


def send_link(anon, conversation, url, *, sender, receiver, key="file-1"):
    """The IM callback of a voice message linking `url` in `conversation`."""
    body = message(
        key,
        conversation.id,
        sender=sender.username,
        receiver=receiver.username,
        body=[{"MsgType": "TIMCustomElem", "MsgContent": {"Data": "customAudio", "Desc": url}}],
    )
    assert post_callback(anon, body).json()["ActionStatus"] == "OK"


def query_of(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def session(tim, ecnu, visitor, counselor, supervisor):
    counselor.supervisors.add(supervisor)
    return Conversation.objects.create(
        status="IN_PROGRESS", user=visitor, counselor=counselor, institution=ecnu
    )


@pytest.fixture
def sent_file(anon, session, visitor, counselor, media):
    """A voice file the visitor uploaded and sent to the counsellor in the session."""
    uploaded = upload(visitor)
    send_link(anon, session, uploaded["url"], sender=visitor, receiver=counselor)
    return uploaded["fileName"]


@pytest.fixture
def people(ecnu, other_inst, visitor, counselor, supervisor, inst_admin, sysadmin, other_admin):
    return {
        "uploader": visitor,
        "other participant": counselor,
        "supervisor of the counsellor": supervisor,
        "institution admin": inst_admin,
        "system admin": sysadmin,
        "other institution's admin": other_admin,
        "unrelated visitor": make_user(UserType.VISITOR, inst=ecnu, username="o_unrelated_visitor"),
        "unrelated counsellor": make_user(UserType.COUNSELOR, inst=ecnu, username="unrelated_counselor"),
        "unrelated supervisor": make_user(UserType.SUPERVISOR, inst=ecnu, username="unrelated_supervisor"),
        "same-named counsellor elsewhere": make_user(UserType.COUNSELOR, inst=other_inst, username="sjtu_c"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who,status",
    [
        ("uploader", 200),
        ("other participant", 200),
        ("supervisor of the counsellor", 200),
        ("institution admin", 200),
        ("system admin", 200),
        ("other institution's admin", 404),
        ("unrelated visitor", 404),
        ("unrelated counsellor", 404),
        ("unrelated supervisor", 404),
        ("same-named counsellor elsewhere", 404),
    ],
)
def test_bearer_download_rights_by_role(people, sent_file, who, status):
    response = client_for(people[who]).get("/file/download", {"fileName": sent_file})
    if status == 200:
        assert response.status_code == 200 and b"".join(response.streaming_content) == MP3
    else:
        assert error_of(response, 404, -4) == "文件不存在"


@pytest.mark.django_db
def test_a_file_not_yet_sent_is_its_uploaders_alone(session, visitor, counselor, inst_admin, media):
    name = upload(visitor)["fileName"]
    assert client_for(visitor).get("/file/download", {"fileName": name}).status_code == 200
    error_of(client_for(counselor).get("/file/download", {"fileName": name}), 404, -4)
    error_of(client_for(inst_admin).get("/file/download", {"fileName": name}), 404, -4)


@pytest.mark.django_db
def test_a_file_sent_by_the_counsellor_reaches_the_visitor(anon, session, visitor, counselor, media):
    uploaded = upload(counselor)
    send_link(anon, session, uploaded["url"], sender=counselor, receiver=visitor)
    assert client_for(visitor).get("/file/download", {"fileName": uploaded["fileName"]}).status_code == 200


@pytest.mark.django_db
def test_a_message_from_outside_the_conversation_links_nothing(
    anon, ecnu, session, visitor, counselor, media
):
    """A stranger naming the session in CloudCustomData cannot hand its readers someone else's file."""
    stranger = make_user(UserType.VISITOR, inst=ecnu, username="o_stranger")
    uploaded = upload(stranger)
    send_link(anon, session, uploaded["url"], sender=stranger, receiver=counselor)
    error_of(client_for(counselor).get("/file/download", {"fileName": uploaded["fileName"]}), 404, -4)


@pytest.mark.django_db
def test_a_repeated_delivery_links_once(anon, session, visitor, counselor, media):
    from messages.models import ChatFileLink

    uploaded = upload(visitor)
    send_link(anon, session, uploaded["url"], sender=visitor, receiver=counselor)
    send_link(anon, session, uploaded["url"], sender=visitor, receiver=counselor)
    assert ChatFileLink.objects.filter(file_name=uploaded["fileName"]).count() == 1


@pytest.mark.django_db
def test_the_uploads_signed_url_works_without_a_token(anon, visitor, media):
    uploaded = upload(visitor)
    query = query_of(uploaded["url"])
    assert set(query) == {"fileName", "expires", "signature"}
    assert "token" not in uploaded["url"] and token_pair(visitor)["access"] not in uploaded["url"]
    response = anon.get(urlsplit(uploaded["url"]).path, query)
    assert response.status_code == 200 and b"".join(response.streaming_content) == MP3


@pytest.mark.django_db
def test_a_signed_link_lasts_file_link_minutes(settings, anon, visitor, media):
    settings.FILE_LINK_MINUTES = 5
    before = int(time.time())
    expires = int(query_of(upload(visitor)["url"])["expires"])
    assert before + 5 * 60 <= expires <= int(time.time()) + 5 * 60


@pytest.mark.django_db
def test_an_expired_link_is_refused(anon, visitor, media):
    name = upload(visitor)["fileName"]
    past = str(int(time.time()) - 1)
    response = anon.get(
        "/file/download", {"fileName": name, "expires": past, "signature": link_signature(name, past)}
    )
    error_of(response, 404, -4)


@pytest.mark.django_db
def test_a_tampered_link_is_refused(anon, visitor, media):
    query = query_of(upload(visitor)["url"])
    error_of(anon.get("/file/download", {**query, "signature": "0" * 64}), 404, -4)
    error_of(anon.get("/file/download", {**query, "expires": str(int(query["expires"]) + 3600)}), 404, -4)
    error_of(anon.get("/file/download", {**query, "signature": ""}), 404, -4)
    error_of(anon.get("/file/download", {**query, "expires": "²" * 10}), 404, -4)
    error_of(anon.get("/file/download", {**query, "expires": "9" * 40}), 404, -4)
    error_of(
        anon.get("/file/download", {"fileName": query["fileName"], "expires": query["expires"]}), 404, -4
    )


@pytest.mark.django_db
def test_a_link_opens_only_its_own_file(anon, visitor, counselor, media):
    mine = query_of(upload(visitor)["url"])
    other = upload(counselor, content=MP3 + b"other")["fileName"]
    error_of(anon.get("/file/download", {**mine, "fileName": other}), 404, -4)


@pytest.mark.django_db
def test_an_access_token_in_the_url_is_ignored(anon, visitor, counselor, media):
    name = upload(visitor)["fileName"]
    error_of(anon.get("/file/download", {"fileName": name, "token": token_pair(visitor)["access"]}), 401, 401)
    # a Bearer caller without rights gains nothing from the uploader's token in the URL
    response = client_for(counselor).get(
        "/file/download", {"fileName": name, "token": token_pair(visitor)["access"]}
    )
    error_of(response, 404, -4)


@pytest.mark.django_db
def test_an_invalid_bearer_token_is_401_even_with_a_link(anon, visitor, media):
    query = query_of(upload(visitor)["url"])
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    error_of(client.get("/file/download", query), 401, 401)


@pytest.mark.django_db
def test_transcripts_hand_out_signed_links_and_no_tokens(
    anon, session, visitor, counselor, supervisor, media
):
    uploaded = upload(visitor)
    # an old client put its access token into the link it sent
    leaked = token_pair(visitor)["access"]
    send_link(anon, session, f"{uploaded['url']}&token={leaked}", sender=visitor, receiver=counselor)
    response = read(client_for(supervisor), session)
    [row] = result_of(response)
    assert leaked not in response.content.decode()
    link = row["payload"]["desc"]
    assert row["elements"][0]["payload"]["desc"] == link
    assert set(query_of(link)) == {"fileName", "expires", "signature"}
    assert query_of(link)["fileName"] == uploaded["fileName"]
    downloaded = anon.get(urlsplit(link).path, query_of(link))
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content) == MP3


@pytest.mark.django_db
def test_transcripts_leave_avatars_and_foreign_links_unsigned(anon, session, visitor, counselor, media):
    avatar = "https://h/file/download?fileName=avatar~liMeijin-1700000000000-0123456789abcdef.png"
    send_link(anon, session, avatar, sender=counselor, receiver=visitor, key="avatar")
    send_link(anon, session, "https://elsewhere/x.mp3?token=abc", sender=counselor, receiver=visitor, key="x")
    rows = result_of(read(client_for(counselor), session))
    assert [row["payload"]["desc"] for row in rows] == [avatar, "https://elsewhere/x.mp3?token=abc"]


@pytest.mark.django_db
def test_exports_carry_links_without_credentials(anon, session, visitor, counselor, inst_admin, media):
    from tests.messages.helpers import sheet_rows

    uploaded = upload(visitor)
    leaked = token_pair(visitor)["access"]
    send_link(anon, session, f"{uploaded['url']}&token={leaked}", sender=visitor, receiver=counselor)
    response = client_for(inst_admin).get(f"/conversation/export/{session.id}")
    _, sheets = sheet_rows(response)
    text = " ".join(str(cell) for rows in sheets.values() for row in rows for cell in row)
    assert f"/file/download?fileName={uploaded['fileName']}" in text
    assert leaked not in text and "signature=" not in text and "expires=" not in text

"""Odd but possible inputs from the IM provider never lose a message nor break a transcript or export."""

import io

import pytest
from openpyxl import load_workbook

from conversations.models import Conversation
from messages.models import Message
from tests.helpers import error_of
from tests.messages.helpers import OK, message, post_callback


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"SendMsgResult": 3_000_000_000, "UnreadMsgNum": 2**31, "OnlineOnlyFlag": 2**40},
        {"MsgTime": 10**30, "MsgSeq": -(10**30)},
        {"MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "a\x00b"}}]},
        {"MsgBody": {"MsgType": "TIMTextElem", "MsgContent": {"Text": "not in a list"}}},
        {"MsgBody": "text instead of a list"},
        {"CloudCustomData": {"nested": ["object"]}},
        {"From_Account": None, "To_Account": 12345},
        {"MsgKey": 12345},
        {"MsgKey": "k" * 400},
    ],
)
def test_odd_callbacks_are_stored(anon, tim, overrides):
    body = {**message("odd"), **overrides}
    assert post_callback(anon, body).json() == OK
    assert Message.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        '{"CallbackCommand":"C2C.CallbackAfterSendMsg","MsgKey":"s1","MsgBody":[{"MsgType":"TIMTextElem",'
        '"MsgContent":{"Text":"cut emoji \\ud800"}}]}',
        '{"CallbackCommand":"C2C.CallbackAfterSendMsg","MsgKey":"s2","MsgTime":1e999,"Extra":NaN,"MsgBody":[]}',
    ],
)
def test_lone_surrogates_and_non_finite_numbers_are_stored(anon, tim, raw):
    assert post_callback(anon, raw).json() == OK
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_non_ascii_sign_is_refused_not_crashed(anon, tim, settings):
    settings.TIM_CALLBACK_TOKEN = "xxxxyyyy"
    response = post_callback(anon, message("k"), Sign="%C3%A9", RequestTime="1")
    assert response.status_code == 403 and response.json()["ActionStatus"] == "FAIL"


@pytest.mark.django_db
@pytest.mark.parametrize("custom", ["{id}".upper(), "  {id}  ", '{"conversationId": "{id}"}'])
def test_cloud_custom_data_variants_link_the_conversation(anon, tim, ecnu, visitor, counselor, custom):
    conversation = Conversation.objects.create(
        status="IN_PROGRESS", user=visitor, counselor=counselor, institution=ecnu
    )
    value = custom.replace("{ID}", conversation.id.upper()).replace("{id}", conversation.id)
    post_callback(anon, message("k", value, sender=visitor.username, receiver=counselor.username))
    assert Message.objects.get().conversation_id == conversation.id


@pytest.mark.django_db
def test_a_forged_conversation_id_does_not_leak_into_another_transcript(anon, tim, as_user, ecnu, counselor):
    from tests.helpers import make_user
    from users.models import UserType

    first, second = (make_user(UserType.VISITOR, inst=ecnu) for _ in range(2))
    c1 = Conversation.objects.create(status="IN_PROGRESS", user=first, counselor=counselor, institution=ecnu)
    post_callback(anon, message("own", c1.id, sender=first.username, receiver=counselor.username))
    post_callback(anon, message("stale", c1.id, sender=counselor.username, receiver=second.username))
    post_callback(anon, message("forged", c1.id, sender=second.username, receiver=counselor.username))
    rows = as_user(first).get("/message/conversation/web", {"conversationId": c1.id}).json()["result"]
    assert [row["from"] for row in rows] == [first.username]
    assert Message.objects.count() == 3  # nothing is dropped from the archive


@pytest.mark.django_db
def test_export_survives_odd_messages_and_keeps_formulas_as_text(
    anon, tim, as_user, inst_admin, ecnu, visitor, counselor
):
    conversation = Conversation.objects.create(
        status="FINISHED", user=visitor, counselor=counselor, institution=ecnu
    )
    odd = [
        {"MsgType": "TIMTextElem", "MsgContent": {"Text": '=HYPERLINK("http://evil","click")'}},
        {"MsgType": "TIMTextElem", "MsgContent": {"Text": "bell\x07char"}},
        {"MsgType": "TIMTextElem", "MsgContent": {"Text": 5}},
        {"MsgType": "TIMImageElem", "MsgContent": {"ImageInfoArray": {"URL": "x"}}},
        {"MsgType": ["x"], "MsgContent": {}},
    ]
    for index, element in enumerate(odd):
        body = message(
            f"odd-{index}",
            conversation.id,
            sender=visitor.username,
            receiver=counselor.username,
            seq=index,
            body=[element],
        )
        post_callback(anon, body)
    post_callback(
        anon,
        {
            **message("far", conversation.id, sender=visitor.username, receiver=counselor.username, seq=9),
            "MsgTime": 10**13,
        },
    )
    response = as_user(inst_admin).get(f"/conversation/export/{conversation.id}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    formula = next(cell for cell in cells if str(cell.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"
    assert any(cell.value == "bellchar" for cell in cells)
    assert (
        as_user(inst_admin)
        .get("/message/conversation/web", {"conversationId": conversation.id})
        .json()["code"]
        == 0
    )


@pytest.mark.django_db
def test_odd_im_answer_never_fails_sign(as_user, counselor, settings, http_server_answering):
    settings.TIM_SDKAPPID = "1400000000"
    settings.TIM_SECRET_KEY = "k"
    settings.TIM_API_BASE = http_server_answering("[1]")
    assert as_user(counselor).post("/im/sign").json()["code"] == 0


@pytest.fixture
def http_server_answering():
    """A server that answers every POST with a fixed body (a misbehaving provider)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    servers = []

    def start(body):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                payload = body.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_unknown_conversation_in_web_reading_is_404(as_user, sysadmin):
    error_of(as_user(sysadmin).get("/message/conversation/web", {"conversationId": "0" * 32}), 404, -4)

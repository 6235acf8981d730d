"""Message text and raw callback bodies encrypted at rest (issue 12)."""

import pytest

from conversations.models import Conversation
from messages.models import Message
from tests.encryption import assert_ciphertext, stored
from tests.helpers import result_of
from tests.messages.helpers import post_callback, read

# ---- messages --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_message_text_and_raw_body_round_trip_and_are_encrypted(anon, as_user, tim, ecnu, visitor, counselor):
    conversation = Conversation.objects.create(
        status="IN_PROGRESS", user=visitor, counselor=counselor, institution=ecnu
    )
    text = "我最近总是睡不着，很焦虑"
    body = {
        "CallbackCommand": "C2C.CallbackAfterSendMsg",
        "From_Account": visitor.username,
        "To_Account": counselor.username,
        "MsgSeq": 1,
        "MsgRandom": 7,
        "MsgTime": 1700000000,
        "MsgKey": "enc-1",
        "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}],
        "CloudCustomData": conversation.id,
    }
    assert post_callback(anon, body).json()["ActionStatus"] == "OK"
    assert post_callback(anon, body).json()["ActionStatus"] == "OK"  # a redelivery is still stored once
    assert Message.objects.filter(msg_key="enc-1").count() == 1
    rows = result_of(read(as_user(visitor), conversation))
    assert [row["payload"] for row in rows] == [{"text": text}]
    message = Message.objects.get(msg_key="enc-1")
    assert_ciphertext(stored(Message, message.pk, "msg_body", "raw"), text, "TIMTextElem", "enc-1")

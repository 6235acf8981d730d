"""Fixtures of the message tests: a conversation with a transcript, a media folder."""

import pytest

from conversations.models import Conversation
from tests.messages.helpers import message, post_callback


@pytest.fixture
def chat(anon, tim, ecnu, visitor, counselor, supervisor):
    """A session between the visitor and the counsellor with one message of every element type."""
    counselor.supervisors.add(supervisor)
    conversation = Conversation.objects.create(
        status="FINISHED", user=visitor, counselor=counselor, institution=ecnu, duration=600_000
    )
    v, c = visitor.username, counselor.username
    bodies = [
        (v, c, {"MsgType": "TIMTextElem", "MsgContent": {"Text": "咨询师您好"}}),
        (c, v, {"MsgType": "TIMTextElem", "MsgContent": {"Text": "你好，很高兴见到你"}}),
        (
            c,
            v,
            {
                "MsgType": "TIMCustomElem",
                "MsgContent": {
                    "Data": "customAudio",
                    "Desc": "https://h/file/download?fileName=zxs_6-1634537274000.mp3",
                },
            },
        ),
        (
            v,
            c,
            {
                "MsgType": "TIMImageElem",
                "MsgContent": {
                    "UUID": "img",
                    "ImageFormat": 1,
                    "ImageInfoArray": [
                        {"Type": 1, "Size": 10, "Width": 2, "Height": 2, "URL": "https://img/1.png"}
                    ],
                },
            },
        ),
        (
            v,
            c,
            {
                "MsgType": "TIMSoundElem",
                "MsgContent": {
                    "Url": "https://snd/1.silk",
                    "UUID": "s",
                    "Size": 1,
                    "Second": 3,
                    "Download_Flag": 2,
                },
            },
        ),
        (
            v,
            c,
            {
                "MsgType": "TIMFileElem",
                "MsgContent": {
                    "Url": "https://f/1",
                    "FileName": "a.pdf",
                    "FileSize": 1,
                    "UUID": "f",
                    "Download_Flag": 2,
                },
            },
        ),
        (c, v, {"MsgType": "TIMVideoFileElem", "MsgContent": {"VideoUrl": "https://v/1", "VideoUUID": "v"}}),
        (v, c, {"MsgType": "TIMFaceElem", "MsgContent": {"Index": 3, "Data": "smile"}}),
        (
            v,
            c,
            {
                "MsgType": "TIMLocationElem",
                "MsgContent": {"Desc": "上海", "Latitude": 31.2, "Longitude": 121.4},
            },
        ),
    ]
    # Posted out of order: the reading orders by MsgTime, then MsgSeq.
    for index, (sender, receiver, element) in reversed(list(enumerate(bodies))):
        body = message(
            f"key-{index}",
            conversation.id,
            sender=sender,
            receiver=receiver,
            seq=index,
            at=1700000000 + index // 2,
            body=[element],
        )
        assert post_callback(anon, body).json()["ActionStatus"] == "OK"
    return conversation


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT

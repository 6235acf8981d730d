"""Shortcuts of the message tests: IM callback bodies and requests, transcript reads, sheets."""

import io
import json

from openpyxl import load_workbook

OK = {"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0}


def post_callback(client, body, command="C2C.CallbackAfterSendMsg", sdkappid="1400000000", **extra):
    params = {
        "SdkAppid": sdkappid,
        "CallbackCommand": command,
        "contenttype": "json",
        "ClientIP": "127.0.0.1",
        "OptPlatform": "RESTAPI",
        **extra,
    }
    query = "&".join(f"{key}={value}" for key, value in params.items())
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(f"/message/callback?{query}", data=data, content_type="application/json")


def message(
    key, conversation_id="", sender="visitor_a", receiver="counselor_b", seq=1, at=1700000000, body=None
):
    return {
        "CallbackCommand": "C2C.CallbackAfterSendMsg",
        "From_Account": sender,
        "To_Account": receiver,
        "MsgSeq": seq,
        "MsgRandom": 7,
        "MsgTime": at,
        "MsgKey": key,
        "OnlineOnlyFlag": 0,
        "SendMsgResult": 0,
        "ErrorInfo": "send msg succeed",
        "UnreadMsgNum": 1,
        "MsgBody": body or [{"MsgType": "TIMTextElem", "MsgContent": {"Text": f"消息{seq}"}}],
        "CloudCustomData": conversation_id,
    }


def read(client, conversation, **params):
    return client.get("/message/conversation/web", {"conversationId": conversation.id, **params})


def sheet_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook, {
        ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets
    }

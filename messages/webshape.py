"""Stored messages in the web SDK's shape of the seed's example (CONTRACT §7)."""

import re

from .files import sign_file_links, strip_link_credentials

_CAMEL_SPLIT = re.compile(r"_+")
CUSTOM_KEYS = ("data", "desc", "ext", "sound")


def camel_key(key):
    """Tencent's content field names in the web SDK's spelling: Text→text, Download_Flag→downloadFlag,
    ImageInfoArray→imageInfoArray, UUID→uuid, URL→url."""
    parts = [part for part in _CAMEL_SPLIT.split(str(key)) if part]
    if not parts:
        return str(key)
    first = parts[0].lower() if parts[0].isupper() else parts[0][0].lower() + parts[0][1:]
    return first + "".join(part[0].upper() + part[1:] for part in parts[1:])


def camel(value):
    if isinstance(value, dict):
        return {camel_key(key): camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel(item) for item in value]
    return value


def element_payload(element):
    element = element if isinstance(element, dict) else {}
    raw_type = element.get("MsgType")
    element_type = raw_type if isinstance(raw_type, str) and raw_type else str(raw_type or "TIMTextElem")
    content = element.get("MsgContent") if isinstance(element.get("MsgContent"), dict) else {}
    payload = camel(content)
    if element_type == "TIMTextElem":
        payload.setdefault("text", "")
    elif element_type == "TIMCustomElem":
        for key in CUSTOM_KEYS:
            payload.setdefault(key, "")
    return element_type, payload


def web_message(row, *, own_identifier):
    """One message (a `selectors.WEB_FIELDS` row); `flow` is "out" when `own_identifier` sent it. Links
    to stored files come signed (CONTRACT §11): whoever may read the transcript may read the files its
    messages link."""
    elements = [
        (kind, sign_file_links(payload))
        for kind, payload in (element_payload(element) for element in (row["msg_body"] or []))
    ] or [("TIMTextElem", {"text": ""})]
    element_type, payload = elements[0]
    sender = row["from_account"]
    return {
        "ID": row["id"],
        "conversationID": "",
        "conversationType": "TIM.TYPES.CONV_C2C",
        "type": element_type,
        "payload": payload,
        "elements": [{"type": kind, "payload": content} for kind, content in elements],
        "from": sender,
        "to": row["to_account"],
        "time": row["msg_time"],
        "flow": "out" if sender == own_identifier else "in",
        "status": "success" if row["send_msg_result"] == 0 else "fail",
        "priority": "TIM.TYPES.MSG_PRIORITY_NORMAL",
        "avatar": "",
        "nick": "",
        "isRevoked": row["is_revoked"],
        "isDeleted": False,
        "isModified": False,
        "isPeerRead": True,
        "cloudCustomData": row["cloud_custom_data"],
        "sequence": row["msg_seq"],
        "random": row["msg_random"],
        "msgKey": row["msg_key"],
    }


def element_text(element_type, payload):
    """A one-cell rendering of an element for exports: text, or the link of a voice/image/file.
    Whatever the provider sent (numbers, objects), the answer is a string; download links in it carry
    no access token and no signature (an export outlives a signed link)."""
    return strip_link_credentials(_element_text(element_type, payload))


def _element_text(element_type, payload):

    def get(key):
        value = payload.get(key)
        return "" if value is None else str(value)

    if element_type == "TIMTextElem":
        return get("text")
    if element_type == "TIMCustomElem":
        if payload.get("data") == "customAudio":
            return get("desc")
        return " ".join(get(key) for key in CUSTOM_KEYS if payload.get(key))
    if element_type == "TIMImageElem":
        images = payload.get("imageInfoArray")
        first = images[0] if isinstance(images, list) and images and isinstance(images[0], dict) else {}
        return str(first.get("url") or "") or get("uuid")
    if element_type == "TIMSoundElem":
        return get("url") or get("uuid")
    if element_type == "TIMFileElem":
        return f"{get('fileName')} {get('url')}".strip()
    if element_type == "TIMVideoFileElem":
        return get("videoUrl") or get("videoUUID")
    if element_type == "TIMFaceElem":
        return f"[表情 {get('index')}] {get('data')}".strip()
    if element_type == "TIMLocationElem":
        return f"{get('desc')} ({get('latitude')}, {get('longitude')})"
    return str(payload)

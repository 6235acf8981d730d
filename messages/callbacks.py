"""The IM provider's callbacks (CONTRACT §7): the hottest path of the system. Each command is one
SQL statement (or two for a recall that precedes its message; plus one per stored file a message
links, see `link_files`), committed before the answer."""

import hashlib
import hmac
import json
import math
import re
import secrets
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from conversations.care import may_match
from conversations.models import Conversation
from hotline.api.errors import ApiError
from hotline.crypto import encrypt_json
from hotline.limits import BIGINT_MAX
from scheduling.models import Presence
from users.models import User

from .files import linked_file_names
from .models import CallbackDelivery, ChatFileLink, Message
from .tasks import enqueue_risk_detection

HEX_ID = re.compile(r"^[0-9a-f]{32}$")
MESSAGE_TABLE = Message._meta.db_table
REQUEST_TIME_SKEW_SECONDS = 60
# A signed delivery is remembered while its RequestTime could still pass the skew check.
REPLAY_MEMORY_SECONDS = 2 * REQUEST_TIME_SKEW_SECONDS
_CLAIM_DELIVERY = (
    f"INSERT INTO {CallbackDelivery._meta.db_table} (digest, request_time) VALUES (%s, %s) "
    "ON CONFLICT (digest) DO NOTHING"
)
_FIELDS = (
    "id",
    "msg_key",
    "conversation_id",
    "cloud_custom_data",
    "callback_command",
    "from_account",
    "to_account",
    "msg_seq",
    "msg_random",
    "msg_time",
    "online_only_flag",
    "send_msg_result",
    "error_info",
    "unread_msg_num",
    "msg_body",
    "raw",
    "is_revoked",
    "revoked_at",
    "placeholder",
    "created_at",
)
_FILLED_BY_MESSAGE = [
    name for name in _FIELDS if name not in ("id", "msg_key", "is_revoked", "revoked_at", "created_at")
]
_INSERT_MESSAGE = (
    f"INSERT INTO {MESSAGE_TABLE} ({', '.join(_FIELDS)}) VALUES ({', '.join(['%s'] * len(_FIELDS))}) "
    f"ON CONFLICT (msg_key) DO UPDATE SET "
    + ", ".join(f"{name} = EXCLUDED.{name}" for name in _FILLED_BY_MESSAGE)
    + f" WHERE {MESSAGE_TABLE}.placeholder"
)

# A file linked by a message grants the conversation's readers only when the message passes between the
# conversation's two participants (as `selectors.messages_of` shows it): a client's stale or forged
# CloudCustomData cannot hand a file to another conversation. One statement per linked file.
_LINK_FILE = (
    f"INSERT INTO {ChatFileLink._meta.db_table} (file_name, conversation_id, created_at) "
    f"SELECT %s, c.id, %s FROM {Conversation._meta.db_table} c "
    f"JOIN {User._meta.db_table} v ON v.id = c.user_id JOIN {User._meta.db_table} k ON k.id = c.counselor_id "
    "WHERE c.id = %s AND %s IN (v.username, k.username) AND %s IN (v.username, k.username) "
    "ON CONFLICT (file_name, conversation_id) DO NOTHING"
)


def _typed_placeholder(name):
    """In INSERT … SELECT a quoted literal or NULL is text: name the column's type, except for text
    columns (text is assigned to them as in INSERT … VALUES, an over-long value still failing)."""
    field = Message._meta.get_field(name)
    if field.get_internal_type() in ("CharField", "TextField"):
        return "%s"
    return f"%s::{field.db_type(connection)}"


_CLAIM_AND_STORE = (
    f"WITH claim AS ({_CLAIM_DELIVERY} RETURNING 1), stored AS ("
    f"INSERT INTO {MESSAGE_TABLE} ({', '.join(_FIELDS)}) "
    f"SELECT {', '.join(_typed_placeholder(name) for name in _FIELDS)} "
    "WHERE EXISTS (SELECT 1 FROM claim) "
    f"ON CONFLICT (msg_key) DO UPDATE SET "
    + ", ".join(f"{name} = EXCLUDED.{name}" for name in _FILLED_BY_MESSAGE)
    + f" WHERE {MESSAGE_TABLE}.placeholder) SELECT count(*) FROM claim"
)


class CallbackRejected(ApiError):
    """Answered with Tencent's FAIL body."""


def check_callback_auth(params):
    """SdkAppid must be ours; with TIM_CALLBACK_TOKEN set, Sign = sha256(token + RequestTime) within 60 s."""
    if not settings.TIM_SDKAPPID or params.get("SdkAppid") != str(settings.TIM_SDKAPPID):
        raise CallbackRejected("SdkAppid 不匹配", status=403, code=1)
    token = settings.TIM_CALLBACK_TOKEN
    if not token:
        return
    request_time = params.get("RequestTime", "")
    sign = params.get("Sign", "")
    expected = hashlib.sha256(f"{token}{request_time}".encode()).hexdigest()
    if not sign or not hmac.compare_digest(expected.encode(), sign.lower().encode("utf-8", "replace")):
        raise CallbackRejected("Sign 校验失败", status=403, code=1)
    try:
        skew = abs(time.time() - int(request_time))
    except ValueError:
        raise CallbackRejected("RequestTime 无效", status=403, code=1) from None
    if skew > REQUEST_TIME_SKEW_SECONDS:
        raise CallbackRejected("RequestTime 超出60秒", status=403, code=1)


def delivery_of(params, raw_body):
    """(digest, RequestTime) of a signed callback, or None when callbacks are unsigned (DEBUG only).
    `Sign` covers only the token and the time, so a captured request could be posted again with its
    body within the window; the digest of Sign + body is what a replay repeats."""
    if not settings.TIM_CALLBACK_TOKEN:
        return None
    sign = params.get("Sign", "").lower().encode("utf-8", "replace")
    digest = hashlib.sha256(sign + b"\n" + raw_body).hexdigest()
    return digest, int(params.get("RequestTime", "0"))


def claim_delivery(cursor, delivery):
    """Record a signed delivery, in the transaction that applies it; a replay is refused (403 FAIL)."""
    digest, request_time = delivery
    cursor.execute(_CLAIM_DELIVERY, [digest, request_time])
    if cursor.rowcount == 0:
        raise CallbackRejected("回调重放", status=403, code=1)
    _maybe_purge_deliveries()


def _maybe_purge_deliveries():
    if secrets.randbelow(256) == 0:
        cutoff = int(time.time()) - REPLAY_MEMORY_SECONDS
        CallbackDelivery.objects.filter(request_time__lt=cutoff).delete()


def apply_callback(command, data, delivery=None):
    """Apply one authenticated callback: a signed delivery is claimed in the same transaction, so a
    failure leaves it unclaimed and the provider's retry goes through. A signed message (the bulk of
    the traffic) is claimed and stored by one statement (performance, issue 13)."""
    if delivery is None:
        _dispatch(command, data)
        return
    if command == "C2C.CallbackAfterSendMsg":
        _claim_and_store(delivery, data, command)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        claim_delivery(cursor, delivery)
        _dispatch(command, data)


def _dispatch(command, data):
    """Each command is idempotent on its own: one upsert per message, presence newest-wins."""
    if command == "C2C.CallbackAfterSendMsg":
        store_message(data, command)
    elif command == "C2C.CallbackAfterMsgWithDraw":
        revoke_message(data)
    elif command == "State.StateChange":
        update_presence(data)


def _finite_float(text):
    value = float(text)
    return value if math.isfinite(value) else None


def clean(value):
    """What PostgreSQL can store: no NUL characters, no lone surrogates (a cut emoji), no NaN."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd").encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {clean(str(key)): clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


def parse_body(raw_body):
    try:
        data = clean(json.loads(raw_body, parse_constant=lambda _: None, parse_float=_finite_float))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise CallbackRejected("请求体不是JSON", status=400, code=1) from None
    if not isinstance(data, dict):
        raise CallbackRejected("请求体必须是JSON对象", status=400, code=1)
    return data


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return max(-BIGINT_MAX, min(BIGINT_MAX, number))


def _text(value):
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _conversation_id(custom):
    """The conversation named by CloudCustomData: the id itself (any case, padded) or a JSON object
    carrying `conversationId`."""
    text = custom.strip()
    if text.startswith("{"):
        try:
            wrapped = json.loads(text)
        except ValueError:
            wrapped = None
        if isinstance(wrapped, dict):
            text = str(
                wrapped.get("conversationId") or wrapped.get("conversationID") or wrapped.get("id") or ""
            )
    text = text.strip().lower()
    return text if HEX_ID.match(text) else None


def _msg_key(data):
    key = data.get("MsgKey")
    if isinstance(key, int | float) and not isinstance(key, bool):
        key = str(key)
    if isinstance(key, str) and key:
        if len(key) <= 255:
            return key
        return key[:190] + "#" + hashlib.sha256(key.encode()).hexdigest()
    if all(data.get(name) is not None for name in ("MsgSeq", "MsgRandom", "MsgTime")):
        return f"{_int(data['MsgSeq'])}_{_int(data['MsgRandom'])}_{_int(data['MsgTime'])}"
    return (
        "sha256:" + hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    )


def _claim_and_store(delivery, data, command):
    """`claim_delivery` and `store_message` as one statement, atomic on its own: the message row is
    written only when the delivery was claimed, and a replay is refused as before."""
    digest, request_time = delivery
    values = _message_values(data, command)
    names, risky = _linked_names(data, values), _is_risky(data, values)
    if names or risky:  # links to write or a detection job to enqueue: the general path
        with transaction.atomic(), connection.cursor() as cursor:
            claim_delivery(cursor, delivery)
            _store(values, names, risky)
        return
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_AND_STORE, [digest, request_time, *[values[name] for name in _FIELDS]])
        claimed = cursor.fetchone()[0]
    if not claimed:
        raise CallbackRejected("回调重放", status=403, code=1)
    _maybe_purge_deliveries()


def store_message(data, command):
    """Insert the message once per MsgKey (a repeated delivery changes nothing), with its file links
    and, when the pre-filter flags it, its risk detection job."""
    values = _message_values(data, command)
    _store(values, _linked_names(data, values), _is_risky(data, values))


def _store(values, names, risky):
    if not names and not risky:
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_MESSAGE, [values[name] for name in _FIELDS])
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_INSERT_MESSAGE, [values[name] for name in _FIELDS])
        if cursor.rowcount:  # a repeated MsgKey stored nothing: its body adds no links nor detection
            link_files(cursor, values, names)
            if risky:
                # Detection runs after the acknowledgement, as a job of this same transaction.
                enqueue_risk_detection(values["msg_key"])


def _body(data):
    body = data.get("MsgBody")
    if isinstance(body, dict):
        body = [body]
    return body if isinstance(body, list) else []


def _message_values(data, command):
    custom = _text(data.get("CloudCustomData"))
    body = _body(data)
    now = timezone.now()
    values = {
        "id": Message._meta.pk.default(),
        "msg_key": _msg_key(data),
        "conversation_id": _conversation_id(custom),
        "cloud_custom_data": custom,
        "callback_command": command,
        "from_account": _text(data.get("From_Account"))[:64],
        "to_account": _text(data.get("To_Account"))[:64],
        "msg_seq": _int(data.get("MsgSeq")),
        "msg_random": _int(data.get("MsgRandom")),
        "msg_time": _int(data.get("MsgTime")),
        "online_only_flag": _int(data.get("OnlineOnlyFlag")),
        "send_msg_result": _int(data.get("SendMsgResult")),
        "error_info": _text(data.get("ErrorInfo")),
        "unread_msg_num": _int(data.get("UnreadMsgNum")),
        # Encrypted here, so the statement stays one upsert (hotline/crypto.py: the columns' own format).
        "msg_body": encrypt_json(body),
        "raw": encrypt_json(data),
        "is_revoked": False,
        "revoked_at": None,
        "placeholder": False,
        "created_at": now,
    }
    return values


def _linked_names(data, values):
    """The stored chat files a message links (only a message of a conversation can grant them)."""
    return sorted(linked_file_names(_body(data))) if values["conversation_id"] else []


def _is_risky(data, values):
    """A message of a conversation that the risk pre-filter flags (detection runs as a job)."""
    return bool(values["conversation_id"]) and may_be_risky(_body(data))


def message_texts(body):
    """The texts of a message body's TIMTextElem elements."""
    texts = []
    for element in body if isinstance(body, list) else []:
        if isinstance(element, dict) and element.get("MsgType") == "TIMTextElem":
            content = element.get("MsgContent")
            if isinstance(content, dict) and isinstance(content.get("Text"), str):
                texts.append(content["Text"])
    return texts


def may_be_risky(body):
    """The cheap pre-filter (CONTRACT §10): a text holding any institution's risk phrase, normalised.
    In memory; whose session and which institution's list are checked by the job."""
    return any(may_match(text) for text in message_texts(body))


def link_files(cursor, values, names):
    """Record that the message's conversation links each of `names` (see `_LINK_FILE`)."""
    for name in names:
        cursor.execute(
            _LINK_FILE,
            [
                name,
                values["created_at"],
                values["conversation_id"],
                values["from_account"],
                values["to_account"],
            ],
        )


def revoke_message(data):
    """Mark a recalled message; a recall that arrives first leaves a placeholder the message will fill."""
    key = _msg_key(data)
    now = timezone.now()
    if Message.objects.filter(msg_key=key).update(is_revoked=True, revoked_at=now):
        return
    Message.objects.bulk_create(
        [
            Message(
                msg_key=key,
                placeholder=True,
                is_revoked=True,
                revoked_at=now,
                from_account=_text(data.get("From_Account"))[:64],
                to_account=_text(data.get("To_Account"))[:64],
                callback_command="C2C.CallbackAfterMsgWithDraw",
                raw=data,
            )
        ],
        ignore_conflicts=True,
    )
    Message.objects.filter(msg_key=key).update(is_revoked=True, revoked_at=now)


def update_presence(data):
    """State.StateChange: the newest event per identifier wins, whatever order they arrive in."""
    info = data.get("Info") if isinstance(data.get("Info"), dict) else {}
    identifier = _text(info.get("To_Account"))[:64]
    if not identifier:
        raise CallbackRejected("Info.To_Account 缺失", status=400, code=1)
    action = _text(info.get("Action"))[:16]
    table = Presence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (identifier, online, action, event_time, updated_at) VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT (identifier) DO UPDATE SET online = EXCLUDED.online, action = EXCLUDED.action, "
            f"event_time = EXCLUDED.event_time, updated_at = EXCLUDED.updated_at "
            f"WHERE {table}.event_time <= EXCLUDED.event_time",
            [identifier, action == "Login", action, _int(data.get("EventTime")), timezone.now()],
        )

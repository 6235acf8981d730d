"""The audit log (`AuditEntry`): who did what to which object, when, from which address.

Writes (deletions, exports, account changes) record their row inside their own transaction through
`audit_record`; reads of counselling data record theirs through `audit_read`, whose `AUDITED_READS` is the
one list of the reads that are audited. Every call is one INSERT, however many objects it names (one row
per object, so the log filters by object through an index)."""

import hashlib
import hmac

from django.conf import settings

from hotline.api.client import client_ip
from hotline.api.request_id import current as current_request_id

from .models import AuditEntry, UserType

# The reads that leave a row (action `<kind>.read`), with the object type the row names. Each is one row
# per request, written by the view after the object was found in the caller's scope.
AUDITED_READS = {
    # GET /message/conversation/web: a transcript, whichever page (one row per request, not per message)
    "transcript": "conversation",
    # /api/consultant/interview/records/profile: the interview records of one archive (case file)
    "archive": "archive",
    # /api/consultant/interview/records: a page of archives, which shows each one's evaluation and
    # follow-up plan (one row per archive on the page, in the same single INSERT; an empty page writes none)
    "archive_list": "archive",
    # /api/consultant/records/personal-profile: the intake profile of one order's visitor
    "intake": "order",
    # The admin's page of one archived IM message (its text and the callback body)
    "message": "message",
}


def audit_record(*, actor, action, object_type, object_ids=(), detail=None, ip="", actor_username=None):
    """One row per object (a row without object when `object_ids` is empty), in one INSERT."""
    detail = dict(detail or {})
    request_id = current_request_id.get()
    if request_id != "-":
        detail.setdefault("requestId", request_id)
    ids = list(object_ids)
    if len(ids) > 1:
        detail.setdefault("batch", len(ids))
    username = actor_username if actor_username is not None else _actor_name(actor)
    rows = [
        AuditEntry(
            actor=actor,
            actor_username=username[:64],
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            object_ids=[object_id],
            detail=detail,
            ip=ip,
        )
        for object_id in ids
    ] or [
        AuditEntry(
            actor=actor,
            actor_username=username[:64],
            action=action,
            object_type=object_type,
            detail=detail,
            ip=ip,
        )
    ]
    if len(rows) == 1:
        # One row is one INSERT on its own (itself atomic): bulk_create would wrap it in BEGIN/COMMIT, two
        # more round trips on every audited read.
        rows[0].save(force_insert=True)
        return rows
    return AuditEntry.objects.bulk_create(rows)


def _actor_name(actor):
    """Staff by username; a visitor by id only: its username is its WeChat openid, which an erasure could
    not remove from this append-only log."""
    if actor is None:
        return ""
    return actor.pk if actor.type == UserType.VISITOR else actor.username


def audit_read(request, kind, *object_ids):
    """Record that the caller read `object_ids` (a kind of AUDITED_READS). Called once per request, after
    the selector found the objects in the caller's scope: a refused read writes nothing."""
    object_type = AUDITED_READS[kind]
    if not object_ids:
        return
    audit_record(
        actor=request.user,
        action=f"{kind}.read",
        object_type=object_type,
        object_ids=object_ids,
        ip=client_ip(request),
    )


def identifier_digest(identifier):
    """A typed sign-in name that matches no account may be a mistyped password: the log keeps only a
    keyed digest, so repeated attempts with one name can be told apart without revealing it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), identifier.encode("utf-8", "replace"), hashlib.sha256)
    return digest.hexdigest()[:16]

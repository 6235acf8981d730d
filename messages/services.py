"""Writes around the message archive that answer a request: transcript exports (audited)."""

from django.db import transaction

from conversations.selectors import access_conversation, conversations_for_export
from hotline.api.errors import NotFound
from users.audit import audit_record

from .export import transcript_workbook


@transaction.atomic
def transcript_export(*, actor, conversation_id, ip=""):
    """One conversation's transcript as an xlsx file; the export is audited."""
    conversation = access_conversation(actor, conversation_id)
    workbook = transcript_workbook(actor, [conversation])
    audit_record(
        actor=actor,
        action="conversation.export",
        object_type="conversation",
        object_ids=[conversation.pk],
        ip=ip,
    )
    return workbook


@transaction.atomic
def transcripts_export(*, actor, conversation_ids, ip=""):
    """Several transcripts in one xlsx (a sheet each, in the asked order); all must be visible, else 404
    naming the missing ones. Audited as one batch export."""
    ids = list(dict.fromkeys(conversation_ids))
    found = conversations_for_export(actor, ids)
    missing = [item for item in ids if item not in found]
    if missing:
        raise NotFound(f"会话不存在: {', '.join(missing[:10])}")
    workbook = transcript_workbook(actor, [found[item] for item in ids])
    audit_record(
        actor=actor, action="conversation.batchexport", object_type="conversation", object_ids=ids, ip=ip
    )
    return workbook

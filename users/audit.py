"""Audit trail of sensitive actions (deletions, exports): written in the same transaction as the action."""

from .models import AuditEntry


def audit_record(*, actor, action, object_type, object_ids, detail=None, ip=""):
    return AuditEntry.objects.create(
        actor=actor,
        actor_username=actor.username if actor else "",
        action=action,
        object_type=object_type,
        object_ids=list(object_ids),
        detail=detail or {},
        ip=ip,
    )

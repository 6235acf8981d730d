"""This app's gauges for `/metrics` (registered in `apps.py` through `hotline.api.metrics`)."""

from django.db.models import Count

from .constants import ConversationStatus, ConversationType
from .models import Conversation


def waiting_sessions():
    """Counselling sessions waiting for their counsellor now, by institution code (one query)."""
    rows = (
        Conversation.objects.filter(
            status=ConversationStatus.WAITING,
            type=ConversationType.COUNSELING_SESSION,
            deleted_at__isnull=True,
        )
        .values("institution__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["institution__code"]: row["n"] for row in rows}


def register():
    from hotline.api.metrics import register_gauge

    register_gauge(
        "hotline_waiting_sessions",
        "Counselling sessions waiting for their counsellor now, by institution.",
        waiting_sessions,
        label="institution",
    )

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


def open_crisis_alerts():
    from .constants import AlertStatus
    from .models import Alert

    return Alert.objects.shown().filter(status=AlertStatus.OPEN).count()


def oldest_open_alert_age():
    from django.db.models import Min
    from django.utils import timezone

    from .constants import AlertStatus
    from .models import Alert

    oldest = Alert.objects.shown().filter(status=AlertStatus.OPEN).aggregate(at=Min("created_at"))["at"]
    return 0 if oldest is None else (timezone.now() - oldest).total_seconds()


def register():
    from hotline.api.metrics import register_gauge

    register_gauge(
        "hotline_waiting_sessions",
        "Counselling sessions waiting for their counsellor now, by institution.",
        waiting_sessions,
        label="institution",
    )
    register_gauge("hotline_open_crisis_alerts", "Crisis alerts not yet acknowledged.", open_crisis_alerts)
    register_gauge(
        "hotline_oldest_open_alert_age_seconds",
        "Age of the oldest crisis alert not yet acknowledged (0 when none).",
        oldest_open_alert_age,
    )

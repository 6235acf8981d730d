"""Reads for the dashboard that no app's statistics selectors answer."""

from django.db.models import Count, Q

from conversations.constants import AlertStatus
from conversations.models import Alert
from users.scoping import visible_to


def alert_counts(actor):
    """{"open": n, "escalated": n} of the alerts the actor may see that are still OPEN (escalated: those
    among them sent again to the administrators), in one query."""
    alerts = Alert.objects.shown().filter(status=AlertStatus.OPEN)
    return visible_to(actor, alerts).aggregate(
        open=Count("pk"), escalated=Count("pk", filter=Q(escalated=True))
    )

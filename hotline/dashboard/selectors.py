"""Reads for the dashboard that no app's statistics selectors answer."""

from django.apps import apps
from django.db.models import Count, Q

from users.scoping import visible_to


def alert_model():
    """The crisis-alert model (`conversations.Alert`, from the care issue) when it is installed, else
    None: the dashboard shows its alert panel only then."""
    try:
        return apps.get_model("conversations", "Alert")
    except LookupError:
        return None


def alert_counts(actor):
    """{"open": n, "escalated": n} of the alerts the actor may see that are still OPEN (escalated: those
    among them sent again to the administrators), in one query; None without the alert model."""
    model = alert_model()
    if model is None:
        return None
    alerts = model.objects.filter(status="OPEN", conversation__deleted_at__isnull=True)
    return visible_to(actor, alerts).aggregate(
        open=Count("pk"), escalated=Count("pk", filter=Q(escalated=True))
    )

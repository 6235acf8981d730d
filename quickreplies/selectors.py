from users.scoping import visible_to

from .models import QuickReply


def quick_replies_for(actor):
    """`GET /quickreply`: the shared replies the actor may see, then its own (one query)."""
    return (
        visible_to(actor, QuickReply.objects.all())
        .order_by("scope", "created_at", "pk")  # INSTITUTION sorts before PERSONAL
        .values("id", "content", "scope", "created_at")
    )

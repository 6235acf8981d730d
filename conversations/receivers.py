"""Receivers of the `users` hooks (users.signals), connected in ConversationsConfig.ready."""

from . import care, services


def close_conversations_of_disabled_user(sender, *, user, actor, **kwargs):
    """A banned or deleted user's open conversations end, so nobody waits for them."""
    services.conversations_close_for(user, actor=actor)


def start_waiting_that_fit(sender, *, user_id, **kwargs):
    """After a counsellor's maxConsults changed: start waiting visitors that now fit."""
    services.counselor_capacity_changed(user_id)


def seed_risk_phrases(sender, *, instance, created, raw=False, **kwargs):
    """A new institution starts with the default risk phrases (CONTRACT §10)."""
    if created and not raw:
        care.seed_risk_phrases(instance)

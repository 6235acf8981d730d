"""A rating saved or removed drops its counsellor's cached mean rating (selectors.LEVEL_CACHE_SECONDS)."""

from django.db.models.signals import post_delete, post_save

from .models import Evaluation
from .selectors import forget_level


def _forget(sender, instance, **kwargs):
    forget_level(instance.conversation.counselor_id)


def connect():
    post_save.connect(_forget, sender=Evaluation, dispatch_uid="evaluations-forget-level-save")
    post_delete.connect(_forget, sender=Evaluation, dispatch_uid="evaluations-forget-level-delete")

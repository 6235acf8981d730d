"""Reads of evaluations."""

from django.db.models import Avg, OuterRef, Subquery

from .models import Evaluation


def counselor_level(user_ref="pk"):
    """Mean evaluation level of a counsellor's (not deleted) conversations, or NULL; ratings without a
    level count in no average (CONTRACT §12)."""
    return Subquery(
        Evaluation.objects.filter(
            conversation__counselor=OuterRef(user_ref),
            conversation__deleted_at__isnull=True,
            level__isnull=False,
        )
        .values("conversation__counselor")
        .annotate(mean=Avg("level"))
        .values("mean")[:1]
    )


def duty_row_annotations(actor):
    """`level` of each user row of /arrange/theday (registered in EvaluationsConfig.ready)."""
    return {"level": counselor_level("pk")}

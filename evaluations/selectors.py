"""Reads of evaluations."""

from django.core.cache import cache
from django.db.models import Avg

from .models import Evaluation

# A counsellor's mean rating is cached this long (performance, issue 13): it averages every rated
# conversation of the counsellor, the costliest figure of /arrange/theday. A new or changed rating
# drops the counsellor's entry at once (receivers.py); a deleted conversation leaves it at most this long.
LEVEL_CACHE_SECONDS = 30


def _level_key(user_id):
    return f"evaluations:level:{user_id}"


def forget_level(user_id):
    cache.delete(_level_key(user_id))


def counselor_levels(user_ids):
    """{user id: mean evaluation level of its (not deleted) conversations, or None}; ratings without a
    level count in no average (CONTRACT §12). One grouped query for the ids the cache does not hold."""
    cached = cache.get_many([_level_key(pk) for pk in user_ids])
    levels = {pk: cached[_level_key(pk)][0] for pk in user_ids if _level_key(pk) in cached}
    missing = [pk for pk in user_ids if pk not in levels]
    if missing:
        rows = (
            Evaluation.objects.filter(
                conversation__counselor_id__in=missing,
                conversation__deleted_at__isnull=True,
                level__isnull=False,
            )
            .order_by()
            .values("conversation__counselor_id")
            .annotate(mean=Avg("level"))
        )
        found = {row["conversation__counselor_id"]: row["mean"] for row in rows}
        fresh = {pk: found.get(pk) for pk in missing}
        cache.set_many({_level_key(pk): (level,) for pk, level in fresh.items()}, LEVEL_CACHE_SECONDS)
        levels.update(fresh)
    return levels


def duty_page_figures(actor, user_ids):
    """`level` (the same for every caller) of each user of a page of /arrange/theday (registered in EvaluationsConfig.ready)."""
    return {pk: {"level": level} for pk, level in counselor_levels(user_ids).items()}

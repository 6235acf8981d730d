"""Reads of duty: who is on duty on a day (materialising weekly duty), and presence."""

from datetime import timedelta

from django.db.models import Avg, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from conversations.constants import ConversationStatus, ConversationType
from conversations.models import Conversation
from evaluations.models import Evaluation
from hotline.api.errors import NotFound
from hotline.api.timeutil import day_bounds
from users.models import UserType
from users.selectors import users_managed_by

from .models import Arrangement, LeavePeriod, Presence, WeeklyDuty


def arrangements_materialize(day, *, user_ids=None, until=None):
    """Create the day rows that weekly duty implies, for `day` (or every day up to `until`), in two
    queries whatever the range; idempotent because the unique constraint decides."""
    last = until or day
    weekly = WeeklyDuty.objects.filter(valid_from__lte=last, user__deleted_at__isnull=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )
    if user_ids is not None:
        weekly = weekly.filter(user_id__in=user_ids)
    rules = list(weekly.values_list("user_id", "type", "creator_id", "weekday", "valid_from", "valid_until"))
    rows = []
    current = day
    while current <= last:
        for user_id, duty_type, creator, weekday, valid_from, valid_until in rules:
            if (
                weekday == current.isoweekday()
                and valid_from <= current
                and (valid_until is None or current <= valid_until)
            ):
                rows.append(
                    Arrangement(
                        user_id=user_id,
                        type=duty_type,
                        date=current,
                        source=Arrangement.Source.WEEKLY,
                        creator_id=creator,
                    )
                )
        current += timedelta(days=1)
    if rows:
        Arrangement.objects.bulk_create(rows, ignore_conflicts=True)


def on_leave(day, user_ref="user"):
    """Exists(...) true when the user has a leave period overlapping the Asia/Shanghai `day`."""
    start, end = day_bounds(day)
    return Exists(LeavePeriod.objects.filter(user=OuterRef(user_ref), start__lt=end, end__gt=start))


def duty_days(day, *, duty_type=None, institution_id=None):
    """One arrangement row per user on duty on `day` (whole-day duty first, else the first work slot),
    weekly duty included, users on leave and disabled users left out."""
    arrangements_materialize(day)
    first_row = (
        Arrangement.objects.filter(user=OuterRef("user"), date=day, removed=False)
        .order_by(F("start_time").asc(nulls_first=True), "id")
        .values("id")[:1]
    )
    queryset = (
        Arrangement.objects.filter(
            date=day,
            removed=False,
            user__deleted_at__isnull=True,
            user__enabled=True,
            user__deactivated_at__isnull=True,
        )
        .filter(id=Subquery(first_row))
        .exclude(on_leave(day))
    )
    if duty_type:
        queryset = queryset.filter(type=duty_type)
    if institution_id is not None:
        queryset = queryset.filter(user__institution_id=institution_id)
    return queryset


def is_on_duty(user, day):
    """On duty: an arrangement that day (day, weekly duty or work slot) and no leave overlapping it."""
    arrangements_materialize(day, user_ids=[user.pk])
    return (
        Arrangement.objects.filter(user=user, date=day, removed=False).exists()
        and not LeavePeriod.objects.filter(
            user=user, start__lt=day_bounds(day)[1], end__gt=day_bounds(day)[0]
        ).exists()
    )


def online_subquery(user_ref="username"):
    """Exists(...) that is true when the IM provider last reported the identifier online."""
    return Exists(Presence.objects.filter(identifier=OuterRef(user_ref), online=True))


def access_arrangement(actor, arrangement_id):
    """An arrangement of a user the administrator manages, or 404."""
    arrangement = (
        Arrangement.objects.filter(
            pk=arrangement_id, removed=False, user__in=users_managed_by(actor).values("pk")
        )
        .select_related("user")
        .first()
    )
    if arrangement is None:
        raise NotFound("排班记录不存在")
    return arrangement


def counselor_level_subquery(user_ref):
    """Mean evaluation level of a counsellor's (not deleted) conversations, or NULL."""
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


def running_sessions_subquery(user_ref):
    return Coalesce(
        Subquery(
            Conversation.objects.filter(
                counselor=OuterRef(user_ref),
                status=ConversationStatus.IN_PROGRESS,
                type=ConversationType.COUNSELING_SESSION,
                deleted_at__isnull=True,
            )
            .values("counselor")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def theday_rows(actor, day, *, duty_type, state=None):
    """The day's duty rows the caller may see, with what the mini-program shows for each user.
    One query for the rows (user, presence, level, load and the caller's history as subqueries)."""
    institution_id = None if actor.type == UserType.ADMIN else actor.institution_id
    queryset = (
        duty_days(day, duty_type=duty_type, institution_id=institution_id)
        .select_related("user")
        .annotate(
            online=online_subquery("user__username"),
            level=counselor_level_subquery("user_id"),
            running=running_sessions_subquery("user_id"),
            consulted=Exists(
                Conversation.objects.filter(
                    user_id=actor.pk, counselor=OuterRef("user_id"), deleted_at__isnull=True
                )
            ),
        )
    )
    if state == "online":
        queryset = queryset.filter(online=True)
    elif state == "offline":
        queryset = queryset.filter(online=False)
    return queryset.order_by("-online", "user__name", "user_id")

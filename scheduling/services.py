"""Writes on duty (CONTRACT §6). Each function is one transaction."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hotline.api.errors import InvalidParam, NotFound
from hotline.api.timeutil import today
from users.audit import audit_record
from users.selectors import users_managed_by

from .models import Arrangement, Presence, WeeklyDuty
from .selectors import access_duty_day, weekly_rules_on


def _managed_users(actor, user_ids, duty_type):
    ids = list(dict.fromkeys(user_ids))
    users = {user.pk: user for user in users_managed_by(actor).filter(pk__in=ids)}
    missing = [user_id for user_id in ids if user_id not in users]
    if missing:
        raise NotFound(f"用户不存在: {', '.join(missing)}")
    wrong = [user.username for user in users.values() if user.type != duty_type]
    if wrong:
        raise InvalidParam.field("users", f"用户类型不是{duty_type}: {', '.join(wrong)}")
    return [users[user_id] for user_id in ids]


@transaction.atomic
def arrangement_create(*, actor, day, user_ids, duty_type):
    """Put users on duty for a whole day; repeating it changes nothing (and revives a removed day)."""
    users = _managed_users(actor, user_ids, duty_type)
    Arrangement.objects.bulk_create(
        [
            Arrangement(user=user, type=duty_type, date=day, creator=actor, last_updater=actor)
            for user in users
        ],
        ignore_conflicts=True,
    )
    rows = Arrangement.objects.filter(date=day, start_time__isnull=True, user__in=users)
    # An explicit day wins over weekly duty: it survives a later /arrange/batch and revives a removed day.
    rows.update(removed=False, source=Arrangement.Source.DAY, last_updater=actor, updated_at=timezone.now())
    return list(rows.order_by("created_at", "user_id"))


@transaction.atomic
def weekly_duty_set(*, actor, user_id, weekdays, duty_type):
    """Replace a user's weekly duty days from today on ([] clears them). Past days keep their history."""
    (user,) = _managed_users(actor, [user_id], duty_type)
    start = today()
    current = WeeklyDuty.objects.select_for_update().filter(user=user, valid_until__isnull=True)
    current.filter(valid_from__gte=start).delete()
    current.filter(valid_from__lt=start).update(valid_until=start - timedelta(days=1))
    WeeklyDuty.objects.bulk_create(
        [
            WeeklyDuty(user=user, type=duty_type, weekday=weekday, valid_from=start, creator=actor)
            for weekday in sorted(set(weekdays))
        ]
    )
    # Days from today on that were materialised from the old weekly set follow the new one.
    Arrangement.objects.filter(
        user=user, date__gte=start, source=Arrangement.Source.WEEKLY, removed=False, start_time__isnull=True
    ).exclude(date__week_day__in=[_django_week_day(day) for day in weekdays]).delete()


def _django_week_day(iso_weekday):
    """Django's __week_day lookup counts 1 = Sunday … 7 = Saturday."""
    return iso_weekday % 7 + 1


@transaction.atomic
def arrangement_remove(*, actor, row_id, ip=""):
    """Take the user of a row id of /arrange or /arrange/theday (an administrator managing that user,
    else 404) off duty on that day only: every row of the day (whole-day duty and work slots) becomes a
    tombstone. A day that weekly duty implies gets its whole-day row first, so that the tombstone keeps
    weekly duty from bringing the day back."""
    duty_day = access_duty_day(actor, row_id)
    arrangements_materialize(duty_day.date, user_ids=[duty_day.user.pk])
    Arrangement.objects.filter(user_id=duty_day.user.pk, date=duty_day.date, removed=False).update(
        removed=True, last_updater=actor, updated_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="arrangement.delete",
        object_type="arrangement",
        object_ids=[row_id],
        detail={"user": duty_day.user.pk, "date": duty_day.date.isoformat()},
        ip=ip,
    )


def arrangements_materialize(day, *, user_ids):
    """Store the day rows that weekly duty implies on `day` for `user_ids` (so that one weekly day can be
    taken off); idempotent because the unique constraint decides. Only write paths call it: every read
    computes weekly duty with the same rule, `selectors.weekly_rules_on`."""
    rules = weekly_rules_on(day).filter(user_id__in=user_ids, user__deleted_at__isnull=True)
    rows = [
        Arrangement(
            user_id=user_id, type=duty_type, date=day, source=Arrangement.Source.WEEKLY, creator_id=creator
        )
        for user_id, duty_type, creator in rules.values_list("user_id", "type", "creator_id")
    ]
    if rows:
        Arrangement.objects.bulk_create(rows, ignore_conflicts=True)


# A UserSig's life plus this: the SDK signs in again with a new UserSig (a Login callback) before then.
PRESENCE_STALE_GRACE = timedelta(minutes=10)


def presence_expire_stale(*, now=None):
    """Set offline the identifiers last reported online (by a Login) longer ago than a UserSig lives
    (USERSIG_EXPIRE_SECONDS): that login has expired, and its Logout or Disconnect callback was lost.
    One UPDATE; a newer callback that lands at the same time wins (it writes a newer `updated_at`)."""
    cutoff = (
        (now or timezone.now()) - timedelta(seconds=settings.USERSIG_EXPIRE_SECONDS) - PRESENCE_STALE_GRACE
    )
    return Presence.objects.filter(online=True, updated_at__lt=cutoff).update(
        online=False, action="Stale", updated_at=timezone.now()
    )

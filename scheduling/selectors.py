"""Reads of duty: who is on duty on a day (weekly duty computed in the query), and presence.

Reads never write: weekly duty (`WeeklyDuty`) puts a user on duty on matching weekdays unless the user
has a whole-day row that day (an explicit day, or the tombstone `DELETE /arrange/{id}` leaves); a
weekly-duty day that has no row of its own is shown with an id derived from the weekly rule and the
date (`weekly_row_id`), which `DELETE /arrange/{id}` understands."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Q

from hotline.api.timeutil import day_bounds
from users.models import User
from users.scoping import COLLEAGUES, MANAGE, access, visible_to

from .models import Arrangement, LeavePeriod, Presence, WeeklyDuty

# Per-row figures of /arrange/theday that belong to the apps above scheduling (load, rating, the caller's
# history). Those apps register a function `actor -> {name: expression over User rows}` in their
# AppConfig.ready (the documented hook of docs/architecture.md), so this module imports none of them.
DUTY_ROW_ANNOTATIONS = []


def register_duty_row_annotations(build):
    """Called from an upper app's AppConfig.ready; `build(actor)` answers annotations for User rows."""
    if build not in DUTY_ROW_ANNOTATIONS:
        DUTY_ROW_ANNOTATIONS.append(build)


# Figures that cost too much per row over whole tables (a counsellor's mean rating joins every one of its
# conversations): an upper app registers `build(user_ids) -> {user pk: {name: value}}`, called once per
# page of /arrange/theday after paging (one query, or none when its cache answers).
DUTY_PAGE_FIGURES = []


def register_duty_page_figures(build):
    """Called from an upper app's AppConfig.ready; `build(user_ids)` answers figures for one page."""
    if build not in DUTY_PAGE_FIGURES:
        DUTY_PAGE_FIGURES.append(build)


# ---- weekly-duty row ids ------------------------------------------------------------------------------
# 8 hex digits of the date's ordinal, 8 zeros, 16 hex digits of the rule's pk: 32 lowercase hex like
# every id, and never equal to a stored row's id (uuid4 hex has a "4" where these have a zero).


def weekly_row_id(weekly_pk, day):
    return f"{day.toordinal():08x}{0:08x}{weekly_pk:016x}"


def parse_weekly_row_id(row_id):
    """(weekly rule pk, date) for an id made by `weekly_row_id`, else None."""
    if len(row_id) != 32 or row_id[8:16] != "0" * 8:
        return None
    ordinal, weekly_pk = int(row_id[:8], 16), int(row_id[16:], 16)
    if not 1 <= ordinal <= date.max.toordinal() or weekly_pk == 0:
        return None
    return weekly_pk, date.fromordinal(ordinal)


# ---- who is on duty -----------------------------------------------------------------------------------


def on_leave(day, user_ref="user"):
    """Exists(...) true when the user has a leave period overlapping the Asia/Shanghai `day`."""
    start, end = day_bounds(day)
    return Exists(LeavePeriod.objects.filter(user=OuterRef(user_ref), start__lt=end, end__gt=start))


def weekly_rules_on(day):
    """Weekly duty rules that apply on `day` (weekday and validity)."""
    return WeeklyDuty.objects.filter(weekday=day.isoweekday(), valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def _typed(queryset, duty_type):
    return queryset.filter(type=duty_type) if duty_type else queryset


def on_duty(day, *, user_ref="pk", duty_type=None):
    """A condition on User rows: a row that day (whole day or work slot), or weekly duty on a day without
    a whole-day row of its own (a removed day keeps its tombstone); never while on leave, and never for
    an account still pending approval (a self-registered stranger's work slots do not count)."""
    rows = Arrangement.objects.filter(user=OuterRef(user_ref), date=day)
    listed = Exists(_typed(rows.filter(removed=False), duty_type))
    weekly = Exists(_typed(weekly_rules_on(day).filter(user=OuterRef(user_ref)), duty_type))
    whole_day = Exists(rows.filter(start_time__isnull=True))
    approved = Q(approved=True) if user_ref == "pk" else Q(**{f"{user_ref}__approved": True})
    return (Q(listed) | (Q(weekly) & ~Q(whole_day))) & ~Q(on_leave(day, user_ref)) & approved


def duty_users(day, *, duty_type=None):
    """Active, approved users on duty on `day`."""
    # The candidates first (performance, issue 13): the users with a row that day or a weekly rule for
    # its weekday, so the conditions of `on_duty` run over hundreds of rows, not every visitor.
    candidates = (
        Arrangement.objects.filter(date=day).values("user_id").union(weekly_rules_on(day).values("user_id"))
    )
    return User.objects.filter(
        on_duty(day, duty_type=duty_type),
        pk__in=candidates,
        deleted_at__isnull=True,
        enabled=True,
        deactivated_at__isnull=True,
    )


def is_on_duty(user, day):
    """On duty: an arrangement that day (day, weekly duty or work slot), no leave overlapping it, and
    the account approved."""
    return User.objects.filter(on_duty(day), pk=user.pk).exists()


def online_subquery(user_ref="username"):
    """Exists(...) that is true when the IM provider last reported the identifier online."""
    return Exists(Presence.objects.filter(identifier=OuterRef(user_ref), online=True))


# ---- one duty day, for DELETE /arrange/{id} ---------------------------------------------------------------


@dataclass(frozen=True)
class DutyDay:
    """A user's duty on one date, named by a row id of /arrange or /arrange/theday."""

    user: User
    date: date
    type: str


def access_duty_day(actor, row_id):
    """The duty day a row id names, for an administrator managing its user, or 404. A weekly-duty id
    names its day while that day has no whole-day row (after a removal it is gone)."""
    weekly = parse_weekly_row_id(row_id)
    if weekly is None:
        rows = Arrangement.objects.filter(removed=False).select_related("user")
        row = access(actor, rows, row_id, purpose=MANAGE, message="排班记录不存在")
        return DutyDay(user=row.user, date=row.date, type=row.type)
    weekly_pk, day = weekly
    rules = (
        weekly_rules_on(day)
        .exclude(Exists(Arrangement.objects.filter(user=OuterRef("user"), date=day, start_time__isnull=True)))
        .select_related("user")
    )
    rule = access(actor, rules, weekly_pk, purpose=MANAGE, message="排班记录不存在")
    return DutyDay(user=rule.user, date=day, type=rule.type)


# ---- /arrange/theday -------------------------------------------------------------------------------------


def theday_users(actor, day, *, duty_type, state=None):
    """Users on duty on `day` whom the caller may see (the people of its institution), with what the
    mini-program shows for each (presence, and the upper apps' figures), in one query."""
    users = visible_to(actor, duty_users(day, duty_type=duty_type), purpose=COLLEAGUES)
    annotations = {"online": online_subquery("username")}
    for build in DUTY_ROW_ANNOTATIONS:
        annotations.update(build(actor))
    users = users.annotate(**annotations)
    if state == "online":
        users = users.filter(online=True)
    elif state == "offline":
        users = users.filter(online=False)
    return users.order_by("-online", "name", "pk")


def theday_rows(users, day):
    """The duty row shown for each user of a page of `theday_users`: its whole-day row, else the weekly
    duty of the day (when no whole-day row, not even a removed one, exists), else its first work slot;
    the users get the registered page figures. Two queries for the page, plus one per figure hook."""
    ids = [user.pk for user in users]
    for build in DUTY_PAGE_FIGURES:
        figures = build(ids)
        for user in users:
            for name, value in figures.get(user.pk, {}).items():
                setattr(user, name, value)
    listed, whole_day = {}, set()
    for row in Arrangement.objects.filter(user_id__in=ids, date=day).order_by(
        F("start_time").asc(nulls_first=True), "id"
    ):
        if row.start_time is None:
            whole_day.add(row.user_id)
        if not row.removed:
            listed.setdefault(row.user_id, row)
    weekly = {}
    for rule in weekly_rules_on(day).filter(user_id__in=ids).order_by("pk"):
        weekly.setdefault(rule.user_id, rule)
    rows = []
    for user in users:
        rule = weekly.get(user.pk)
        if rule is not None and user.pk not in whole_day:
            row = Arrangement(
                id=weekly_row_id(rule.pk, day),
                user_id=user.pk,
                type=rule.type,
                date=day,
                source=Arrangement.Source.WEEKLY,
                creator_id=rule.creator_id,
                created_at=rule.created_at,
                updated_at=rule.created_at,
            )
        else:
            row = listed[user.pk]
        row.user = user
        rows.append(row)
    return rows

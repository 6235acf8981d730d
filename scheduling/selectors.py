"""Reads of duty: who is on duty on a day (weekly duty computed in the query), and presence.

Reads never write: weekly duty (`WeeklyDuty`) puts a user on duty on matching weekdays unless the user
has a whole-day row that day (an explicit day, or the tombstone `DELETE /arrange/{id}` leaves); a
weekly-duty day that has no row of its own is shown with an id derived from the weekly rule and the
date (`weekly_row_id`), which `DELETE /arrange/{id}` understands."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q

from hotline.api.timeutil import day_bounds
from users.models import User
from users.scoping import COLLEAGUES, MANAGE, access, visible_to

from .models import Arrangement, LeavePeriod, Presence, WeeklyDuty

# Figures of /arrange/theday that belong to the apps above scheduling (load, the caller's history, mean
# ratings): an upper app registers `build(actor, user_ids) -> {user pk: {name: value}}` in its
# AppConfig.ready (the documented hook of docs/architecture.md), so this module imports none of them. Each
# is called once per page, after paging (one grouped query over the page's users, or none when its cache
# answers): none of them orders or filters the list.
DUTY_PAGE_FIGURES = []


def register_duty_page_figures(build):
    """Called from an upper app's AppConfig.ready; `build(actor, user_ids)` answers figures for one page."""
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


# Performance (issue 13): the page is one SQL statement. Built with the ORM, the same duty condition
# (`on_duty`, four correlated EXISTS over the candidates) cost ~9 ms of query building and compiling per
# request and a second round of it for the count, against ~1 ms in PostgreSQL. The statement below is
# `on_duty` over `duty_users`' candidates, word for word, with the total (a window count), presence and
# each page user's shown row (lateral joins) in the same round trip. The users it may list come from
# `users.scoping` (`visible_to`, purpose COLLEAGUES) as a subquery; tests/scheduling hold the two
# spellings of the duty rule together.
THEDAY_SQL = """
WITH rules AS (
    SELECT id, user_id, type, creator_id, created_at FROM scheduling_weeklyduty
    WHERE weekday = %(weekday)s AND valid_from <= %(day)s AND (valid_until IS NULL OR valid_until >= %(day)s)
),
on_duty AS (
    SELECT u.id, u.username, u.name, u.gender, u.max_consults,
        EXISTS (SELECT 1 FROM scheduling_presence p WHERE p.identifier = u.username AND p.online) AS online
    FROM users_user u
    WHERE u.id IN (SELECT user_id FROM scheduling_arrangement WHERE date = %(day)s UNION SELECT user_id FROM rules)
        AND u.id IN ({scoped})
        AND (
            EXISTS (
                SELECT 1 FROM scheduling_arrangement a
                WHERE a.user_id = u.id AND a.date = %(day)s AND NOT a.removed AND a.type = %(type)s
            )
            OR (
                EXISTS (SELECT 1 FROM rules r WHERE r.user_id = u.id AND r.type = %(type)s)
                AND NOT EXISTS (
                    SELECT 1 FROM scheduling_arrangement a
                    WHERE a.user_id = u.id AND a.date = %(day)s AND a.start_time IS NULL
                )
            )
        )
        AND NOT EXISTS (
            SELECT 1 FROM scheduling_leaveperiod l
            WHERE l.user_id = u.id AND l."start" < %(day_end)s AND l."end" > %(day_start)s
        )
),
page AS (
    SELECT d.*, count(*) OVER () AS total FROM on_duty d {state}
    ORDER BY d.online DESC, d.name, d.id
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.id, page.username, page.name, page.gender, page.max_consults, page.online, page.total,
    EXISTS (
        SELECT 1 FROM scheduling_arrangement a WHERE a.user_id = page.id AND a.date = %(day)s AND a.start_time IS NULL
    ),
    w.id, w.type, w.creator_id, w.created_at,
    a.id, a.type, a.start_time, a.end_time, a.creator_id, a.last_updater_id, a.created_at, a.updated_at
FROM page
LEFT JOIN LATERAL (SELECT * FROM rules r WHERE r.user_id = page.id ORDER BY r.id LIMIT 1) w ON TRUE
LEFT JOIN LATERAL (
    SELECT * FROM scheduling_arrangement a WHERE a.user_id = page.id AND a.date = %(day)s AND NOT a.removed
    ORDER BY a.start_time ASC NULLS FIRST, a.id ASC LIMIT 1
) a ON TRUE
ORDER BY page.online DESC, page.name, page.id
"""
THEDAY_STATES = {"online": "WHERE d.online", "offline": "WHERE NOT d.online"}


@dataclass(frozen=True)
class DutyRow:
    """A row of /arrange/theday: the duty row shown (its whole-day row, else the weekly duty of the day
    when no whole-day row, not even a removed one, exists, else its first work slot) and its user."""

    id: str
    type: str
    date: date
    start_time: object
    end_time: object
    creator_id: str | None
    last_updater_id: str | None
    created_at: object
    updated_at: object
    user_id: str
    username: str
    name: str
    gender: str
    max_consults: int
    online: bool
    figures: dict


def _scoped_users(actor):
    """SQL and params of the active, approved users the caller may see as colleagues (`users.scoping`)."""
    users = User.objects.filter(
        approved=True, deleted_at__isnull=True, enabled=True, deactivated_at__isnull=True
    )
    return visible_to(actor, users, purpose=COLLEAGUES).order_by().values("pk").query.sql_with_params()


def _duty_row(record, day):
    (user_id, username, name, gender, max_consults, online, _total, whole_day) = record[:8]
    rule_pk, rule_type, rule_creator, rule_created = record[8:12]
    common = {
        "date": day,
        "user_id": user_id,
        "username": username,
        "name": name,
        "gender": gender,
        "max_consults": max_consults,
        "online": online,
        "figures": {},
    }
    if rule_pk is not None and not whole_day:
        return DutyRow(
            id=weekly_row_id(rule_pk, day),
            type=rule_type,
            start_time=None,
            end_time=None,
            creator_id=rule_creator,
            last_updater_id=None,
            created_at=rule_created,
            updated_at=rule_created,
            **common,
        )
    row_id, row_type, start_time, end_time, creator_id, last_updater_id, created_at, updated_at = record[12:]
    return DutyRow(
        id=row_id,
        type=row_type,
        start_time=start_time,
        end_time=end_time,
        creator_id=creator_id,
        last_updater_id=last_updater_id,
        created_at=created_at,
        updated_at=updated_at,
        **common,
    )


def _theday_records_sql(actor, day, *, duty_type, state, offset, size):
    """(the page's records, the total): `THEDAY_SQL` on PostgreSQL. One query, a second only for a page
    past the end (its total)."""
    try:
        scoped_sql, scoped_params = _scoped_users(actor)
    except EmptyResultSet:  # an actor who may see nobody
        return [], 0
    start, end = day_bounds(day)
    # Django's compiled subquery brings positional %s placeholders: the statement's own are named, and
    # the scoped subquery's are escaped into named ones so that both can be passed as one mapping.
    params = {f"s{i}": value for i, value in enumerate(scoped_params)}
    scoped = scoped_sql.replace("%%", "%%%%") % tuple(f"%(s{i})s" for i in range(len(scoped_params)))
    sql = THEDAY_SQL.format(scoped=scoped, state=THEDAY_STATES.get(state, ""))
    params.update(
        weekday=day.isoweekday(), day=day, type=duty_type, day_start=start, day_end=end, limit=size + 1
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "offset": offset})
        records = cursor.fetchall()
        if records or not offset:
            return records, records[0][6] if records else 0
        cursor.execute(sql, {**params, "offset": 0})  # past the end: the total is still the list's
        first = cursor.fetchone()
        return [], first[6] if first else 0


def _theday_records_orm(actor, day, *, duty_type, state, offset, size):
    """The same records as `_theday_records_sql`, through the ORM (`on_duty`), for the other databases
    (the embedded SQLite of `make run`, which has no lateral joins): four queries, every user on duty
    read to count them."""
    users = visible_to(actor, duty_users(day, duty_type=duty_type), purpose=COLLEAGUES)
    users = users.annotate(online=online_subquery("username"))
    if state in THEDAY_STATES:
        users = users.filter(online=state == "online")
    people = list(
        users.order_by("-online", "name", "pk").values_list(
            "pk", "username", "name", "gender", "max_consults", "online"
        )
    )
    page = people[offset : offset + size + 1]
    ids = [person[0] for person in page]
    day_rows = Arrangement.objects.filter(user_id__in=ids, date=day)
    whole_day = set(day_rows.filter(start_time__isnull=True).values_list("user_id", flat=True))
    listed, weekly = {}, {}
    for row in (
        day_rows.filter(removed=False)
        .order_by(F("start_time").asc(nulls_first=True), "id")
        .values_list(
            "user_id",
            "id",
            "type",
            "start_time",
            "end_time",
            "creator_id",
            "last_updater_id",
            "created_at",
            "updated_at",
        )
    ):
        listed.setdefault(row[0], row[1:])
    rules = weekly_rules_on(day).filter(user_id__in=ids).order_by("pk")
    for rule in rules.values_list("user_id", "pk", "type", "creator_id", "created_at"):
        weekly.setdefault(rule[0], rule[1:])
    records = [
        (*person, len(people), person[0] in whole_day)
        + weekly.get(person[0], (None,) * 4)
        + listed.get(person[0], (None,) * 8)
        for person in page
    ]
    return records, len(people)


def theday_page(actor, day, *, duty_type, state=None, page=1, size=10):
    """One page of the users on duty on `day` whom the caller may see (the people of its institution),
    online first, then by name: (rows, total, next page or None), as `hotline.api.envelope.paginate`
    answers. One query on PostgreSQL (two for a page past the end), plus one per figure hook."""
    read = _theday_records_sql if connection.vendor == "postgresql" else _theday_records_orm
    records, total = read(actor, day, duty_type=duty_type, state=state, offset=(page - 1) * size, size=size)
    rows = [_duty_row(record, day) for record in records[:size]]
    ids = [row.user_id for row in rows]
    for build in DUTY_PAGE_FIGURES:
        figures = build(actor, ids)
        for row in rows:
            row.figures.update(figures.get(row.user_id, {}))
    return rows, total, page + 1 if len(records) > size else None

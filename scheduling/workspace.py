"""The workspace's view of duty (seed 001 排班管理): work slots per date and leave periods. The same
Arrangement rows as the hotline's `/arrange`; leave periods take a counsellor off hotline duty."""

import re
from calendar import monthrange
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q

from hotline.api.errors import InvalidParam
from hotline.api.timeutil import SHANGHAI
from hotline.limits import (
    DATE_FORMAT,
    LEAVE_INPUT_FORMATS,
    LEAVE_MAX_YEAR,
    LEAVE_MIN_YEAR,
    TIME_FORMAT,
)
from users.models import User
from users.scoping import visible_to

from .models import Arrangement, DutyType, LeavePeriod, WeeklyDuty

SLOT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
WHOLE_DAY = "00:00-23:59"


def parse_slot(text, field):
    """'HH:MM-HH:MM' → (start, end), start before end."""
    match = SLOT.match(text) if isinstance(text, str) else None
    if not match:
        raise InvalidParam.field(field, f"时间段须为 HH:MM-HH:MM，收到 {text!r}")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise InvalidParam.field(field, f"时间不合法：{text}")
    start, end = time(h1, m1), time(h2, m2)
    if start >= end:
        raise InvalidParam.field(field, f"开始时间须早于结束时间：{text}")
    return start, end


def parse_slots(texts, field="work_schedules"):
    """["HH:MM-HH:MM", ...] → sorted (start, end) pairs that neither overlap nor repeat."""
    return check_slots([parse_slot(text, field) for text in texts], field)


def check_slots(slots, field="work_schedules"):
    """Sorted (start, end) pairs, refused when two overlap or repeat."""
    slots = sorted(slots)
    for (_, previous_end), (next_start, _) in zip(slots, slots[1:], strict=False):
        if next_start < previous_end:
            raise InvalidParam.field(field, "时间段不能重叠")
    if len(set(slots)) != len(slots):
        raise InvalidParam.field(field, "时间段重复")
    return slots


def slot_text(row):
    if row.start_time is None:
        return WHOLE_DAY
    return f"{row.start_time:{TIME_FORMAT}}-{row.end_time:{TIME_FORMAT}}"


def schedule_id(row):
    """Workspace ids are integers: a stable one derived from the arrangement's hex id."""
    return int(row.pk[:13], 16)


def _slot_rows(user, day, slots, actor):
    return [
        Arrangement(
            user=user,
            type=user.type,
            date=day,
            start_time=start,
            end_time=end,
            creator=actor or user,
            last_updater=actor or user,
        )
        for start, end in slots
    ]


def work_slots_set(*, user, day, slots, actor=None):
    """Overwrite the user's work slots of one date ([] clears them); whole-day duty is not touched."""
    if user.type not in DutyType.values:
        raise InvalidParam("只有咨询师或督导可以排班")
    work_slots_replace(plan={(user.pk, day): (user, slots)}, actor=actor)


def work_slots_replace(*, plan, actor=None):
    """Overwrite the work slots of every (user id, date) in `plan` ({key: (user, slots)}) in a fixed
    number of queries: lock the users (in id order), delete their slots of those dates, insert the new."""
    if not plan:
        return
    with transaction.atomic():
        # Two saves of the same day at once (a double click) must not both insert: serialise per user.
        list(
            User.objects.select_for_update().filter(pk__in={pk for pk, _ in plan}).order_by("pk").values("pk")
        )
        days = Q(pk__in=[])
        for user_id, day in plan:
            days |= Q(user_id=user_id, date=day)
        Arrangement.objects.filter(days, start_time__isnull=False).delete()
        Arrangement.objects.bulk_create(
            [row for (_, day), (user, slots) in plan.items() for row in _slot_rows(user, day, slots, actor)]
        )


def duty_staff(actor):
    """The enabled counsellors and supervisors of the actor's institution (their duty is shown)."""
    return visible_to(
        actor,
        User.objects.filter(
            type__in=DutyType.values, deleted_at__isnull=True, deactivated_at__isnull=True, enabled=True
        ),
        purpose="colleagues",
    )


def weekly_schedule_id(rule, day):
    """The id of a day that weekly duty implies: 8 hex digits of the date, 4 of the rule, then a 0 where a
    stored row's id has its uuid4 "4", so the two kinds never collide."""
    return int(f"{day.toordinal():08x}{rule.pk % 0x10000:04x}0", 16)


def _display_name(user):
    return user.name or user.username


def month_schedule(*, actor, year, month):
    """[{date: day of month, schedules: [{id, name, work_time}]}] for the actor's institution's staff.
    A read: weekly duty is expanded here (as `scheduling.selectors.on_duty` does for the hotline),
    never written. Three queries whatever the month holds."""
    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    staff_ids = duty_staff(actor).values("pk")
    stored = list(
        Arrangement.objects.filter(date__gte=first, date__lte=last, user_id__in=staff_ids).select_related(
            "user"
        )
    )
    # A whole-day row, even a removed one (a tombstone), stands for that day instead of weekly duty.
    whole_days = {(row.user_id, row.date) for row in stored if row.start_time is None}
    rules = list(
        WeeklyDuty.objects.filter(user_id__in=staff_ids, valid_from__lte=last)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
        .select_related("user")
    )
    entries = [
        (row.date, slot_text(row), _display_name(row.user), schedule_id(row))
        for row in stored
        if not row.removed
    ]
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        for rule in rules:
            applies = rule.weekday == day.isoweekday() and rule.valid_from <= day
            if applies and (rule.valid_until is None or day <= rule.valid_until):
                if (rule.user_id, day) not in whole_days:
                    entries.append((day, WHOLE_DAY, _display_name(rule.user), weekly_schedule_id(rule, day)))
    days = {}
    for day, work_time, name, row_id in sorted(
        entries, key=lambda entry: (entry[0], entry[1], entry[2], entry[3])
    ):
        days.setdefault(day.day, []).append({"id": row_id, "name": name, "work_time": work_time})
    return [{"date": day, "schedules": schedules} for day, schedules in sorted(days.items())]


def parse_leave_time(text, field, *, is_end):
    if not isinstance(text, str) or not text.strip():
        raise InvalidParam.missing(field)
    value = text.strip()
    moment = None
    for pattern in LEAVE_INPUT_FORMATS:
        try:
            moment = datetime.strptime(value, pattern)
            break
        except ValueError:
            continue
    if moment is None:
        try:
            day = datetime.strptime(value, DATE_FORMAT)
        except ValueError:
            raise InvalidParam.field(field, f"时间格式须为 YYYY-MM-DD HH:MM:SS，收到 {value!r}") from None
        moment = day.replace(hour=23, minute=59, second=59) if is_end else day
    if not LEAVE_MIN_YEAR <= moment.year <= LEAVE_MAX_YEAR:
        raise InvalidParam.field(field, f"年份须在{LEAVE_MIN_YEAR}到{LEAVE_MAX_YEAR}之间")
    return moment.replace(tzinfo=SHANGHAI)


def leave_periods_set(*, user, periods):
    """Overwrite the user's leave periods with `periods` ([(start, end)], already checked)."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        visible_to(user, LeavePeriod.objects.all()).delete()
        LeavePeriod.objects.bulk_create(
            [LeavePeriod(user=user, start=start, end=end) for start, end in periods]
        )


def leave_periods_of(actor):
    """The actor's own leave periods, earliest first."""
    return visible_to(actor, LeavePeriod.objects.all()).select_related("user").order_by("start")

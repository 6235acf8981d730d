"""Reads of conversations, scoped to the caller (CONTRACT §5). Reads never write: an overdue IN_PROGRESS
conversation is shown TIME_OUT (status, endTime and duration computed in the query) until the
scheduler's `expire_conversations` pass stores it."""

from datetime import timedelta

from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, TruncDate

from hotline.api.envelope import rows_in_order
from hotline.api.errors import InvalidParam
from hotline.api.timeutil import SHANGHAI, day_bounds, day_start, from_ms, today
from users.models import User
from users.scoping import access, visible_to

from .constants import ConversationStatus, ConversationType, RiskLevel
from .models import OPEN_STATUSES, Conversation, overdue, running, timeout_delta

SORT_FIELDS = {
    "startTime": "start_time",
    "endTime": "shown_end_time",
    "duration": "shown_duration",
    "createTime": "created_at",
    "level": "evaluation__level",
}


def _queue_ahead():
    """How many of the counsellor's waiting sessions start before this one (`services.queue_order`):
    HIGH first by riskTime, then by arrival (`queued_at`), then id."""
    waiting = Conversation.objects.filter(
        counselor=OuterRef("counselor"),
        status=ConversationStatus.WAITING,
        type=ConversationType.COUNSELING_SESSION,
        deleted_at__isnull=True,
    )
    by_arrival = Q(queued_at__lt=OuterRef("queued_at")) | Q(
        queued_at=OuterRef("queued_at"), id__lt=OuterRef("id")
    )
    high = Q(risk_level=RiskLevel.HIGH)
    before_high = high & (
        Q(risk_time__lt=OuterRef("risk_time")) | (Q(risk_time=OuterRef("risk_time")) & by_arrival)
    )
    before_routine = high | (~high & by_arrival)

    def count(condition):
        return Coalesce(
            Subquery(
                waiting.filter(condition).values("counselor").annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )

    return Case(
        When(risk_level=RiskLevel.HIGH, then=count(before_high)),
        default=count(before_routine),
        output_field=IntegerField(),
    )


def conversations_base():
    """Visible (not deleted) conversations with everything the conversation JSON shows, in a fixed
    number of queries: one for the rows (users, institutions, evaluation, queue position) and three
    prefetches (supervision ids, the two users' supervisors)."""
    return (
        Conversation.objects.filter(deleted_at__isnull=True)
        .select_related("user__institution", "counselor__institution", "evaluation")
        .prefetch_related(
            Prefetch(
                "supervisions",
                # In creation order: a new supervision's id ends `conversationIds`.
                queryset=Conversation.objects.filter(deleted_at__isnull=True)
                .only("id", "parent_id")
                .order_by("created_at", "id"),
            ),
            "user__supervisors",
            "counselor__supervisors",
        )
        .annotate(**shown_state())
        .annotate(
            queue_position=Case(
                When(status=ConversationStatus.WAITING, then=_queue_ahead() + 1),
                When(shown_status=ConversationStatus.IN_PROGRESS, then=Value(0)),
                default=None,
                output_field=IntegerField(),
            )
        )
    )


def shown_state():
    """Annotations `shown_status`, `shown_end_time`, `shown_duration`: the stored values, except for an
    overdue IN_PROGRESS conversation, shown as the scheduler will store it (TIME_OUT, ended at
    startTime + timeout, lasting the timeout)."""
    delta = timeout_delta()
    late = overdue()
    return {
        "shown_status": Case(
            When(late, then=Value(ConversationStatus.TIME_OUT)), default=F("status"), output_field=CharField()
        ),
        "shown_end_time": Case(
            When(late, then=ExpressionWrapper(F("start_time") + delta, output_field=DateTimeField())),
            default=F("end_time"),
            output_field=DateTimeField(),
        ),
        "shown_duration": Case(
            When(late, then=Value(int(delta.total_seconds() * 1000))),
            default=F("duration"),
            output_field=BigIntegerField(),
        ),
    }


def conversations_visible_to(actor):
    """The conversations the actor may see (rule: `users.scoping.CONVERSATION`)."""
    return visible_to(actor, conversations_base())


def access_conversation(actor, conversation_id):
    return access(actor, conversations_base(), conversation_id, message="会话不存在")


def access_conversation_people(actor, conversation_id):
    """One conversation the actor may see with its two users' identifiers only (what a transcript needs:
    not the queue position, evaluation or supervisors of the conversation JSON), or 404."""
    # Only the two identifiers are loaded: the users' other columns (some encrypted) would be decrypted
    # for nothing on every page.
    people = (
        Conversation.objects.filter(deleted_at__isnull=True)
        .select_related("user", "counselor")
        .only("id", "user__username", "counselor__username")
    )
    return access(actor, people, conversation_id, message="会话不存在")


def conversations_for_export(actor, conversation_ids):
    """{id: conversation} of the asked conversations the actor may see."""
    return {c.pk: c for c in conversations_visible_to(actor).filter(pk__in=conversation_ids)}


def _named(fragment):
    """Ids of users whose name contains `fragment` (a condition only: the rows shown stay scoped), read
    first so that the planner sees the actual ids and walks the conversations' user/counsellor indexes.
    A fragment without letter case (Chinese, usually 1-2 characters: too short for trigrams) is matched
    as is, and on PostgreSQL through the GIN index over each name's characters (users migration 0009)."""
    users = User.objects.order_by()
    if fragment.lower() != fragment.upper():
        users = users.filter(name__icontains=fragment)
    else:
        users = users.filter(name__contains=fragment)
        if connection.vendor == "postgresql":
            characters = Func(
                F("name"), Value(None), function="string_to_array", output_field=ArrayField(TextField())
            )
            users = users.annotate(name_characters=characters).filter(
                name_characters__contains=list(fragment)
            )
    return list(users.values_list("pk", flat=True))


def consult_list(
    actor,
    *,
    visitor_name=None,
    counselor_name=None,
    start_ms=None,
    end_ms=None,
    status=None,
    conversation_type=None,
    sort_property="startTime",
    direction="desc",
):
    if sort_property not in SORT_FIELDS:
        raise InvalidParam.field("property", f"只能是 {', '.join(SORT_FIELDS)}")
    if direction not in ("asc", "desc"):
        raise InvalidParam.field("direction", "只能是 asc 或 desc")
    # Only what filters and orders: the page's rows are loaded afterwards by `conversations_in_order`,
    # so counting and picking a page compile and run no joins, prefetches or queue subquery.
    queryset = visible_to(
        actor, Conversation.objects.filter(deleted_at__isnull=True).annotate(**shown_state())
    )
    # Names are matched in the users table first, then conversations by their indexed user columns.
    if visitor_name:
        queryset = queryset.filter(user_id__in=_named(visitor_name))
    if counselor_name:
        queryset = queryset.filter(counselor_id__in=_named(counselor_name))
    if start_ms is not None:
        queryset = queryset.filter(start_time__gte=from_ms(start_ms))
    if end_ms is not None:
        queryset = queryset.filter(start_time__lt=from_ms(end_ms + 1))  # whole last millisecond included
    if status:
        queryset = queryset.filter(shown_status=status)
    if conversation_type:
        queryset = queryset.filter(type=conversation_type)
    field = F(SORT_FIELDS[sort_property])
    order = field.desc(nulls_last=True) if direction == "desc" else field.asc(nulls_last=True)
    return queryset.order_by(order, "-created_at", "id")


def conversations_in_order(actor, keys):
    """The conversations of `keys` (a page picked from `consult_list`) in that order, with everything
    the conversation JSON shows."""
    return rows_in_order(conversations_visible_to(actor), keys)


def current_for_visitor(visitor):
    """The visitor's open session, else its most recent one, else None."""
    mine = conversations_visible_to(visitor).filter(type=ConversationType.COUNSELING_SESSION)
    return (
        mine.filter(status__in=OPEN_STATUSES).order_by("-created_at").first()
        or mine.order_by("-created_at").first()
    )


# ---- statistics (administrators, institution-scoped, aggregated in the database) --------------------


# Each administrator's figures are kept this long (performance, issue 13): a dashboard polls them, and
# the month's rating ranking joins a month of ratings to their conversations. Keyed by the administrator
# (the scope is a function of the actor), in the process's cache.
STATISTICS_CACHE_SECONDS = 5


def _cached(actor, name, compute):
    key = f"conversations:statistics:{name}:{actor.pk}"
    figures = cache.get(key)
    if figures is None:
        figures = compute()
        cache.set(key, figures, STATISTICS_CACHE_SECONDS)
    return figures


def _stat_scope(actor):
    return visible_to(
        actor,
        Conversation.objects.filter(deleted_at__isnull=True, type=ConversationType.COUNSELING_SESSION),
    )


def _seven_day_counts(actor):
    """Conversations created per day: "7" is today, "1" six days ago."""
    first_day = today() - timedelta(days=6)
    start = day_start(first_day)
    _, end = day_bounds(today())
    rows = (
        _stat_scope(actor)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=SHANGHAI))
        .values("day")
        .annotate(n=Count("pk"))
    )
    counts = {row["day"]: row["n"] for row in rows}
    return {str(index + 1): counts.get(first_day + timedelta(days=index), 0) for index in range(7)}


def _today_hourly_counts(actor):
    """Conversations started per hour of today, "0" … "23"."""
    start, end = day_bounds(today())
    rows = (
        _stat_scope(actor)
        .filter(start_time__gte=start, start_time__lt=end)
        .annotate(hour=ExtractHour("start_time", tzinfo=SHANGHAI))
        .values("hour")
        .annotate(n=Count("pk"))
    )
    counts = {row["hour"]: row["n"] for row in rows}
    return {str(hour): counts.get(hour, 0) for hour in range(24)}


def _month_start():
    return day_start(today().replace(day=1))


def _number_ranking(actor, limit=10):
    rows = (
        _stat_scope(actor)
        .filter(start_time__gte=_month_start())
        .values("counselor_id", "counselor__name", "counselor__gender")
        .annotate(number=Count("pk"))
        .order_by("-number", "counselor__name", "counselor_id")[:limit]
    )
    return [
        {
            "id": row["counselor_id"],
            "name": row["counselor__name"] or None,
            "gender": row["counselor__gender"] or None,
            "number": row["number"],
        }
        for row in rows
    ]


def _rated_ranking(actor, limit=10):
    rows = (
        _stat_scope(actor)
        .filter(evaluation__created_at__gte=_month_start(), evaluation__level__isnull=False)
        .values("counselor_id", "counselor__name", "counselor__gender")
        .annotate(rate=Avg("evaluation__level"))
        .order_by("-rate", "counselor__name", "counselor_id")[:limit]
    )
    return [
        {
            "id": row["counselor_id"],
            "name": row["counselor__name"] or None,
            "gender": row["counselor__gender"] or None,
            "rate": round(float(row["rate"]), 4),
        }
        for row in rows
    ]


def seven_day_counts(actor):
    """Conversations created per day: "7" is today, "1" six days ago."""
    return _cached(actor, "seven_days", lambda: _seven_day_counts(actor))


def today_hourly_counts(actor):
    """Conversations started per hour of today, "0" … "23"."""
    return _cached(actor, "today_by_hour", lambda: _today_hourly_counts(actor))


def number_ranking(actor):
    """This month's ten counsellors with the most conversations."""
    return _cached(actor, "number_ranking", lambda: _number_ranking(actor))


def rated_ranking(actor):
    """This month's ten counsellors with the best mean rating."""
    return _cached(actor, "rated_ranking", lambda: _rated_ranking(actor))


def waiting_now(actor):
    """Counselling sessions waiting for their counsellor now (the operators' dashboard)."""
    return _stat_scope(actor).filter(status=ConversationStatus.WAITING).count()


def median_wait_today(actor):
    """The median wait, in seconds, of the sessions that started today (wait = startTime − createTime,
    as in CONTRACT's wait statistics), or None when none started. The median is taken in Python over one
    day's rows: the same on SQLite (`make run`) and PostgreSQL."""
    start, end = day_bounds(today())
    waits = sorted(
        (started - created).total_seconds()
        for created, started in _stat_scope(actor)
        .filter(start_time__gte=start, start_time__lt=end)
        .values_list("created_at", "start_time")
    )
    if not waits:
        return None
    middle = len(waits) // 2
    median = waits[middle] if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2
    return max(0, round(median))


# ---- figures of /arrange/theday (registered in ConversationsConfig.ready) -------------------------------


def duty_row_annotations(actor):
    """`running`: the user's sessions holding a place (an overdue one does not: it is timing out);
    `consulted`: whether the caller has had a conversation with the user."""
    return {
        "running": Coalesce(
            Subquery(
                Conversation.objects.filter(running(), counselor=OuterRef("pk"))
                .values("counselor")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        "consulted": Exists(
            Conversation.objects.filter(user_id=actor.pk, counselor=OuterRef("pk"), deleted_at__isnull=True)
        ),
    }


# ---- estimated wait of waiting sessions (CONTRACT §10) ------------------------------------------------

DEFAULT_SESSION_SECONDS = 20 * 60
RECENT_SESSIONS = 20


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def attach_estimated_waits(conversations):
    """Set `estimated_wait` (whole seconds) on each WAITING conversation of `conversations`: a simulation
    of the counsellor's places, each freed when its running session reaches the median duration of the
    counsellor's last RECENT_SESSIONS finished sessions (20 minutes without history), the queue starting
    in order. Non-decreasing with `queuePosition` by construction. Two queries for the whole list, none
    when nothing waits."""
    import heapq

    from django.utils import timezone

    waiting = [c for c in conversations if getattr(c, "shown_status", c.status) == ConversationStatus.WAITING]
    if not waiting:
        return
    counselor_ids = {c.counselor_id for c in waiting}
    now = timezone.now()
    starts = {}
    for counselor_id, start_time in Conversation.objects.filter(
        running(), counselor_id__in=counselor_ids
    ).values_list("counselor_id", "start_time"):
        starts.setdefault(counselor_id, []).append(start_time)
    durations = {}
    for counselor_id, duration in (
        Conversation.objects.filter(
            counselor_id__in=counselor_ids,
            type=ConversationType.COUNSELING_SESSION,
            status=ConversationStatus.FINISHED,
            start_time__isnull=False,
            duration__gt=0,
            end_time__gte=now - timedelta(days=30),
        )
        .order_by("-end_time")
        .values_list("counselor_id", "duration")[: 200 * len(counselor_ids)]
    ):
        recent = durations.setdefault(counselor_id, [])
        if len(recent) < RECENT_SESSIONS:
            recent.append(duration / 1000)
    for conversation in waiting:
        counselor = conversation.counselor
        typical = _median(durations[counselor.pk]) if durations.get(counselor.pk) else DEFAULT_SESSION_SECONDS
        places = [max(0.0, typical - (now - start).total_seconds()) for start in starts.get(counselor.pk, [])]
        places += [0.0] * max(0, counselor.max_consults - len(places))
        if not places:
            places = [float(typical)]
        heapq.heapify(places)
        position = getattr(conversation, "queue_position", None) or 1
        begin = 0.0
        for _ in range(position):
            begin = heapq.heappop(places)
            heapq.heappush(places, begin + typical)
        conversation.estimated_wait = int(round(begin))


# ---- waiting and safety figures (CONTRACT §10) --------------------------------------------------------


class _Percentile(Aggregate):
    """PostgreSQL's ordered-set aggregate percentile_cont(p) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, percentile, **extra):
        super().__init__(expression, percentile=float(percentile), output_field=DurationField(), **extra)


def _seconds(value):
    if value is None:
        return None
    if isinstance(value, timedelta):
        return int(round(value.total_seconds()))
    return int(round(value / 1_000_000))  # SQLite answers durations in microseconds


def _python_percentile(values, fraction):
    """percentile_cont's own definition (linear interpolation), for SQLite."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _percentiles(queryset, expression, fractions):
    """{fraction: value} in the database on PostgreSQL (one query); in Python on SQLite, which has no
    percentile aggregate."""
    if connection.vendor == "postgresql":
        row = queryset.aggregate(**{f"p{i}": _Percentile(expression, f) for i, f in enumerate(fractions)})
        return {f: row[f"p{i}"] for i, f in enumerate(fractions)}
    values = [v for v in queryset.annotate(_v=expression).values_list("_v", flat=True) if v is not None]
    values = [v.total_seconds() * 1_000_000 if isinstance(v, timedelta) else v for v in values]
    return {f: _python_percentile(values, f) for f in fractions}


def wait_statistics(actor, *, start_ms=None, end_ms=None):
    """Waiting and safety figures of the sessions created in [startTime, endTime] (default the last 7
    days), institution-scoped, aggregated in the database."""
    from django.utils import timezone

    from .models import Alert

    end = from_ms(end_ms + 1) if end_ms is not None else timezone.now() + timedelta(seconds=1)
    start = from_ms(start_ms) if start_ms is not None else end - timedelta(days=7)
    sessions = _stat_scope(actor).filter(created_at__gte=start, created_at__lt=end)
    counts = sessions.aggregate(
        sessions=Count("pk"),
        waited=Count("pk", filter=Q(was_waiting=True, start_time__isnull=False)),
        abandoned=Count(
            "pk", filter=Q(was_waiting=True, start_time__isnull=True) & ~Q(status__in=OPEN_STATUSES)
        ),
        highRisk=Count("pk", filter=Q(risk_level=RiskLevel.HIGH)),
    )
    wait = ExpressionWrapper(F("start_time") - F("created_at"), output_field=DurationField())
    waits = _percentiles(sessions.filter(start_time__isnull=False), wait, (0.5, 0.9))
    alerts = Alert.objects.filter(conversation__in=sessions.values("pk"))
    ack = ExpressionWrapper(F("ack_time") - F("created_at"), output_field=DurationField())
    acks = _percentiles(alerts.filter(ack_time__isnull=False), ack, (0.5,))
    return {
        "sessions": counts["sessions"],
        "waited": counts["waited"],
        "medianWait": _seconds(waits[0.5]),
        "p90Wait": _seconds(waits[0.9]),
        "abandoned": counts["abandoned"],
        "highRisk": counts["highRisk"],
        "alerts": alerts.count(),
        "medianAck": _seconds(acks[0.5]),
    }

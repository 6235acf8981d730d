"""Reads of conversations, scoped to the caller (CONTRACT §5). Reads never write: an overdue IN_PROGRESS
conversation is shown TIME_OUT (status, endTime and duration computed in the query) until the
scheduler's `expire_conversations` pass stores it."""

from datetime import timedelta

from django.contrib.postgres.fields import ArrayField
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
    ExpressionWrapper,
    F,
    Func,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import ExtractHour, TruncDate

from hotline.api.envelope import rows_in_order
from hotline.api.errors import InvalidParam
from hotline.api.memo import RefreshingCache
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


def _before(a, b):
    """a < b as SQL compares (a NULL on either side is never before)."""
    return a is not None and b is not None and a < b


def _ahead_of(other, mine):
    """Whether the waiting session `other` starts before `mine` (`services.queue_order`): HIGH first by
    riskTime, then by arrival (`queued_at`), then id. Both are (id, risk_level, risk_time, queued_at)."""
    by_arrival = _before(other[3], mine[3]) or (
        other[3] is not None and other[3] == mine[3] and other[0] < mine[0]
    )
    other_high = other[1] == RiskLevel.HIGH
    if mine[1] == RiskLevel.HIGH:
        return other_high and (
            _before(other[2], mine[2]) or (other[2] is not None and other[2] == mine[2] and by_arrival)
        )
    return other_high or by_arrival


def attach_queue_positions(conversations):
    """Set `queue_position` on each conversation: for a WAITING one its place in its counsellor's queue
    (1 = next), 0 for one shown IN_PROGRESS, else None. One query for the whole list, none when nothing
    waits (performance, issue 13: it was a correlated subquery compiled into every conversation read)."""
    pending = [c for c in conversations if not hasattr(c, "queue_position")]
    waiting = [c for c in pending if c.status == ConversationStatus.WAITING]
    for conversation in pending:
        shown = getattr(conversation, "shown_status", conversation.status)
        conversation.queue_position = 0 if shown == ConversationStatus.IN_PROGRESS else None
    if not waiting:
        return
    queues = {}
    for counselor_id, *row in Conversation.objects.filter(
        counselor_id__in={c.counselor_id for c in waiting},
        status=ConversationStatus.WAITING,
        type=ConversationType.COUNSELING_SESSION,
        deleted_at__isnull=True,
    ).values_list("counselor_id", "id", "risk_level", "risk_time", "queued_at"):
        queues.setdefault(counselor_id, []).append(tuple(row))
    for conversation in waiting:
        mine = (conversation.pk, conversation.risk_level, conversation.risk_time, conversation.queued_at)
        ahead = sum(1 for other in queues.get(conversation.counselor_id, ()) if _ahead_of(other, mine))
        conversation.queue_position = ahead + 1


def conversations_base():
    """Visible (not deleted) conversations with what the conversation JSON shows, in one query (users,
    institutions, evaluation); what depends on other rows (queue position, the ids of supervisions and
    of the users' supervisors) is attached after paging by `attach_queue_positions` and
    `attach_related_ids`, a few queries for a whole page."""
    return (
        Conversation.objects.filter(deleted_at__isnull=True)
        .select_related("user__institution", "counselor__institution", "evaluation")
        .annotate(**shown_state())
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
# the month's rating ranking joins a month of ratings to their conversations (≈50 ms at 100 000
# conversations). Keyed by the administrator (the scope is a function of the actor), in this process.
STATISTICS_CACHE_SECONDS = 5
# One thread refreshes an expired entry while the others answer the figures of a moment ago (the p99
# of the statistics endpoints under load: every thread recomputed the 50 ms ranking at once).
_figures = RefreshingCache(STATISTICS_CACHE_SECONDS)
# The month's rankings move slowly and the rating ranking is the costly one (≈30 ms of a parallel hash
# join over the institution's conversations): recomputed every 5 s in each worker it slowed every other
# request while it ran (ratedranking p99 78 ms against 22 for the other figures, bench 2026-12-06).
RANKING_CACHE_SECONDS = 60
_rankings = RefreshingCache(RANKING_CACHE_SECONDS)


def _cached(actor, name, compute, cache=_figures):
    return cache.get((name, actor.pk), compute)


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
    return _cached(actor, "number_ranking", lambda: _number_ranking(actor), _rankings)


def rated_ranking(actor):
    """This month's ten counsellors with the best mean rating."""
    return _cached(actor, "rated_ranking", lambda: _rated_ranking(actor), _rankings)


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


def duty_page_figures(actor, user_ids):
    """`running`: each user's sessions holding a place (an overdue one does not: it is timing out);
    `consulted`: whether the caller has had a conversation with the user. One grouped query for a page
    of /arrange/theday (registered in ConversationsConfig.ready)."""
    holds_place, with_caller = running(), Q(user_id=actor.pk)
    rows = (
        Conversation.objects.filter(
            holds_place | with_caller, counselor_id__in=user_ids, deleted_at__isnull=True
        )
        .order_by()
        .values("counselor_id")
        .annotate(n=Count("pk", filter=holds_place), mine=Count("pk", filter=with_caller))
        .values_list("counselor_id", "n", "mine")
    )
    found = {pk: {"running": n, "consulted": mine > 0} for pk, n, mine in rows}
    return {pk: found.get(pk, {"running": 0, "consulted": False}) for pk in user_ids}


# ---- estimated wait of waiting sessions (CONTRACT §10) ------------------------------------------------

DEFAULT_SESSION_SECONDS = 20 * 60
RECENT_SESSIONS = 20


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def attach_related_ids(conversations):
    """Set `supervision_ids` on each conversation (its supervisions not deleted, in creation order: a new
    supervision's id ends `conversationIds`) and `supervisor_ids` on each of their users (in the users'
    default order, as `user.supervisors.all()` lists them). Two queries for the whole list, whatever
    its length (performance, issue 13: they replace three prefetches that built a model instance per
    supervisor and per supervision only to read its id)."""
    pending = [c for c in conversations if not hasattr(c, "supervision_ids")]
    if not pending:
        return
    children = {}
    for parent_id, child_id in (
        Conversation.objects.filter(deleted_at__isnull=True, parent_id__in={c.pk for c in pending})
        .order_by("created_at", "id")
        .values_list("parent_id", "id")
    ):
        children.setdefault(parent_id, []).append(child_id)
    people = [person for c in pending for person in (c.user, c.counselor) if person is not None]
    supervisors = {}
    bindings = User.supervisors.through.objects.filter(from_user_id__in={p.pk for p in people})
    ordering = [
        f"{'-' if key.startswith('-') else ''}to_user__{key.lstrip('-')}" for key in User._meta.ordering
    ]
    for user_id, supervisor_id in bindings.order_by(*ordering).values_list("from_user_id", "to_user_id"):
        supervisors.setdefault(user_id, []).append(supervisor_id)
    for conversation in pending:
        conversation.supervision_ids = children.get(conversation.pk, [])
    for person in people:
        person.supervisor_ids = supervisors.get(person.pk, [])


def attach_shown_figures(conversations):
    """Everything a conversation's JSON shows beyond its row and joins (`ConversationSerializer`): queue
    positions, estimated waits, supervision and supervisor ids, a few queries for a whole page."""
    attach_queue_positions(conversations)
    attach_estimated_waits(conversations)
    attach_related_ids(conversations)


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

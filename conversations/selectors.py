"""Reads of conversations, scoped to the caller (CONTRACT §5). Reads never write: an overdue IN_PROGRESS
conversation is shown TIME_OUT (status, endTime and duration computed in the query) until the
scheduler's `expire_conversations` pass stores it."""

from datetime import timedelta

from django.db.models import (
    Avg,
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, TruncDate

from hotline.api.errors import InvalidParam
from hotline.api.timeutil import SHANGHAI, day_bounds, day_start, from_ms, today
from users.scoping import access, visible_to

from .constants import ConversationStatus, ConversationType
from .models import OPEN_STATUSES, Conversation, overdue, running, timeout_delta

SORT_FIELDS = {
    "startTime": "start_time",
    "endTime": "shown_end_time",
    "duration": "shown_duration",
    "createTime": "created_at",
    "level": "evaluation__level",
}


def _queue_ahead():
    ahead = Conversation.objects.filter(
        counselor=OuterRef("counselor"),
        status=ConversationStatus.WAITING,
        type=ConversationType.COUNSELING_SESSION,
        deleted_at__isnull=True,
    ).filter(
        Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
    )
    return Coalesce(
        Subquery(
            ahead.values("counselor").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()
        ),
        Value(0),
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


def conversations_for_export(actor, conversation_ids):
    """{id: conversation} of the asked conversations the actor may see."""
    return {c.pk: c for c in conversations_visible_to(actor).filter(pk__in=conversation_ids)}


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
    queryset = conversations_visible_to(actor)
    if visitor_name:
        queryset = queryset.filter(user__name__icontains=visitor_name)
    if counselor_name:
        queryset = queryset.filter(counselor__name__icontains=counselor_name)
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


def current_for_visitor(visitor):
    """The visitor's open session, else its most recent one, else None."""
    mine = conversations_visible_to(visitor).filter(type=ConversationType.COUNSELING_SESSION)
    return (
        mine.filter(status__in=OPEN_STATUSES).order_by("-created_at").first()
        or mine.order_by("-created_at").first()
    )


# ---- statistics (administrators, institution-scoped, aggregated in the database) --------------------


def _stat_scope(actor):
    return visible_to(
        actor,
        Conversation.objects.filter(deleted_at__isnull=True, type=ConversationType.COUNSELING_SESSION),
    )


def seven_day_counts(actor):
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


def today_hourly_counts(actor):
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


def number_ranking(actor, limit=10):
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


def rated_ranking(actor, limit=10):
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

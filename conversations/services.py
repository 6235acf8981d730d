"""Writes on conversations (CONTRACT §5).

Lock order, everywhere: the user a request acts for or upon (visitor, requesting counsellor, banned
user), then the counsellors or supervisors whose totals or queues change, then conversation rows.
Keeping that order is what stops concurrent starts, ends, timeouts, bans and deletions deadlocking."""

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from hotline.api.errors import Forbidden, InvalidParam, NotFound
from hotline.api.timeutil import today
from scheduling.selectors import is_on_duty
from users.audit import audit_record
from users.models import User, UserType
from users.scoping import COLLEAGUES, access

from .constants import ConversationStatus, ConversationType, RiskLevel, RiskSource
from .models import OPEN_STATUSES, Conversation, overdue, running, timeout_delta
from .selectors import access_conversation

NOT_ON_DUTY = "该咨询师今日不在值班"


def _lock_user(user_id):
    return User.objects.select_for_update().get(pk=user_id)


def _running_sessions(counselor_id):
    """Sessions holding one of the counsellor's places; an overdue one holds none (it is timing out)."""
    return Conversation.objects.filter(running(), counselor_id=counselor_id).count()


def queue_order():
    """A counsellor's waiting sessions start HIGH first (earliest riskTime first), then in arrival order
    (`queued_at`: a transferred session keeps the old one's arrival). `selectors.attach_queue_positions` counts
    positions in the same order."""
    return (
        Case(When(risk_level=RiskLevel.HIGH, then=Value(0)), default=Value(1), output_field=IntegerField()),
        F("risk_time").asc(nulls_last=True),
        "queued_at",
        "id",
    )


def _promote_waiting(counselor):
    """Start the counsellor's first waiting sessions (`queue_order`) while it has free capacity.
    Counsellor row locked."""
    free = counselor.max_consults - _running_sessions(counselor.pk)
    if free <= 0:
        return []
    waiting = list(
        Conversation.objects.select_for_update()
        .filter(
            counselor=counselor,
            status=ConversationStatus.WAITING,
            type=ConversationType.COUNSELING_SESSION,
            deleted_at__isnull=True,
        )
        .order_by(*queue_order())[:free]
    )
    now = timezone.now()
    for conversation in waiting:
        conversation.status = ConversationStatus.IN_PROGRESS
        conversation.start_time = now
        conversation.save(update_fields=["status", "start_time", "updated_at"])
    return waiting


def _close(conversation, *, status, end_time, actor=None):
    """End an open conversation; a running one adds its duration to the counsellor's totalTime."""
    was_running = conversation.status == ConversationStatus.IN_PROGRESS
    conversation.status = status
    conversation.end_time = end_time
    conversation.duration = 0
    if was_running and conversation.start_time:
        conversation.duration = max(0, int((end_time - conversation.start_time).total_seconds() * 1000))
        User.objects.filter(pk=conversation.counselor_id).update(
            total_time=F("total_time") + conversation.duration
        )
    if actor is not None:
        conversation.last_updater = actor
    conversation.save(update_fields=["status", "end_time", "duration", "last_updater", "updated_at"])
    return was_running


def _expire_locked(counselor):
    """Time out the counsellor's overdue conversations and start its next waiting ones. The counsellor's
    row is locked by the caller; re-reading the overdue rows under that lock makes a second pass (another
    scheduler process, or a start that got there first) find nothing: idempotent."""
    delta = timeout_delta()
    rows = list(
        Conversation.objects.select_for_update().filter(
            overdue(), counselor_id=counselor.pk, deleted_at__isnull=True
        )
    )
    for conversation in rows:
        _close(conversation, status=ConversationStatus.TIME_OUT, end_time=conversation.start_time + delta)
    if rows:
        _promote_waiting(counselor)
    return len(rows)


def conversations_expire():
    """The scheduler's pass (`expire_conversations`, every minute): time out IN_PROGRESS conversations
    older than the timeout and start the next waiting ones; returns how many timed out. One transaction
    per counsellor; a counsellor whose row another process holds is skipped (SKIP LOCKED), so passes
    running at once share the work instead of queueing, and the next pass picks up what was skipped.
    Cheap when nothing is overdue: one indexed query."""
    affected = set(
        Conversation.objects.filter(overdue(), deleted_at__isnull=True).values_list("counselor_id", flat=True)
    )
    expired = 0
    for counselor_id in sorted(affected):
        with transaction.atomic():
            counselor = User.objects.select_for_update(skip_locked=True).filter(pk=counselor_id).first()
            if counselor is not None:
                expired += _expire_locked(counselor)
    return expired


def _open_session_of(visitor):
    return (
        Conversation.objects.filter(
            user=visitor,
            type=ConversationType.COUNSELING_SESSION,
            status__in=OPEN_STATUSES,
            deleted_at__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )


def _counselor_for(visitor, counselor_id):
    """A counsellor of the visitor's institution, or 404."""
    counselors = User.objects.filter(type=UserType.COUNSELOR, deleted_at__isnull=True)
    return access(visitor, counselors, counselor_id, purpose=COLLEAGUES, message="咨询师不存在")


def _is_overdue_with(conversation, counselor_id):
    """The visitor's open session with this counsellor is overdue: the start transaction times it out."""
    return (
        conversation.counselor_id == counselor_id
        and conversation.status == ConversationStatus.IN_PROGRESS
        and conversation.start_time < timezone.now() - timeout_delta()
    )


def _check_existing(existing, counselor_id):
    """Asking again for the same counsellor returns the open session; another counsellor is refused with
    a message naming the open session's counsellor, so the visitor knows where to go back (CONTRACT §12)."""
    if existing.counselor_id == counselor_id:
        return existing
    counselor = existing.counselor
    raise InvalidParam(f"您正在咨询 {counselor.name or counselor.username}，请先结束当前会话")


def conversation_start(*, visitor, counselor_id, urgent=False):
    """A visitor asks a counsellor: IN_PROGRESS below capacity, else WAITING in arrival order. `urgent`
    (CONTRACT §10): the session is HIGH/VISITOR from its creation and raises its alert; an open session
    returned again is flagged then."""
    conversation = _start(visitor=visitor, counselor_id=counselor_id, urgent=urgent)
    if urgent and conversation.risk_level != RiskLevel.HIGH:
        from .care import flag_high

        with transaction.atomic():
            _lock_user(conversation.counselor_id)  # lock order: counsellor, then conversation
            locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
            if locked.is_open:
                flag_high(locked, RiskSource.VISITOR)
    return conversation


def _start(*, visitor, counselor_id, urgent):
    counselor = _counselor_for(visitor, counselor_id)
    if not counselor.enabled:
        raise InvalidParam.field("counselor", "该咨询师已停用")
    existing = _open_session_of(visitor)
    if existing is not None and not _is_overdue_with(existing, counselor.pk):
        return _check_existing(existing, counselor.pk)
    if not is_on_duty(counselor, today()):
        raise InvalidParam.field("counselor", NOT_ON_DUTY)
    try:
        with transaction.atomic():
            visitor = _lock_user(visitor.pk)
            counselor = _lock_user(counselor.pk)
            # A ban or deletion may have committed while we waited for the locks.
            if not visitor.is_active:
                raise Forbidden("该用户已被禁用")
            if not counselor.is_active:
                raise InvalidParam.field("counselor", "该咨询师已停用")
            # An approval withdrawn meanwhile takes the counsellor off duty, as is_on_duty would say now.
            if not counselor.approved:
                raise InvalidParam.field("counselor", NOT_ON_DUTY)
            # A write path: the counsellor's overdue sessions end here, so they neither hold its places
            # nor count as the visitor's open session.
            _expire_locked(counselor)
            existing = _open_session_of(visitor)
            if existing is not None:
                return _check_existing(existing, counselor.pk)
            running = _running_sessions(counselor.pk)
            now = timezone.now()
            queue_empty = not Conversation.objects.filter(
                counselor=counselor,
                status=ConversationStatus.WAITING,
                type=ConversationType.COUNSELING_SESSION,
                deleted_at__isnull=True,
            ).exists()
            starts = running < counselor.max_consults and queue_empty
            created = Conversation.objects.create(
                type=ConversationType.COUNSELING_SESSION,
                status=ConversationStatus.IN_PROGRESS if starts else ConversationStatus.WAITING,
                user=visitor,
                counselor=counselor,
                institution_id=counselor.institution_id,
                start_time=now if starts else None,
                creator=visitor,
                last_updater=visitor,
                queued_at=now,
                was_waiting=not starts,
                risk_level=RiskLevel.HIGH if urgent else RiskLevel.NONE,
                risk_source=RiskSource.VISITOR if urgent else "",
                risk_time=now if urgent else None,
            )
            if urgent:
                from .care import _raise_alert

                _raise_alert(created, RiskSource.VISITOR)
            return created
    except IntegrityError:
        # The same visitor opened a session concurrently: the partial unique index kept it to one.
        existing = _open_session_of(visitor)
        if existing is None:
            raise
        return _check_existing(existing, counselor.pk)


def counselor_capacity_changed(counselor_id):
    """After maxConsults changes: start waiting visitors that now fit (running ones never end)."""
    with transaction.atomic():
        _promote_waiting(_lock_user(counselor_id))


def conversations_close_for(user, *, actor):
    """End every open conversation a banned or deleted user takes part in, so nobody waits for them;
    each counsellor's queue moves on."""
    open_rows = Conversation.objects.filter(status__in=OPEN_STATUSES, deleted_at__isnull=True).filter(
        Q(counselor=user) | Q(user=user)
    )
    for counselor_id in set(open_rows.values_list("counselor_id", flat=True)):
        with transaction.atomic():
            counselor = _lock_user(counselor_id)
            rows = Conversation.objects.select_for_update().filter(
                Q(counselor=user) | Q(user=user),
                counselor_id=counselor_id,
                status__in=OPEN_STATUSES,
                deleted_at__isnull=True,
            )
            now = timezone.now()
            for conversation in rows:
                _close(conversation, status=ConversationStatus.FINISHED, end_time=now, actor=actor)
            if counselor.pk != user.pk:
                _promote_waiting(counselor)


def check_can_end(actor, conversation):
    """The visitor (user), the counsellor or supervisor serving it, or an institution administrator."""
    if actor.pk in (conversation.user_id, conversation.counselor_id):
        return
    if actor.type == UserType.ADMIN or (
        actor.type == UserType.INSTITUTION and actor.institution_id == conversation.institution_id
    ):
        return
    raise Forbidden("只有会话双方或机构管理员可以结束会话")


def conversation_end(*, actor, conversation_id):
    """End a conversation the actor may see and end. An overdue one has timed out instead: the
    counsellor's overdue sessions are stored TIME_OUT first, under its lock."""
    conversation = access_conversation(actor, conversation_id)
    check_can_end(actor, conversation)
    with transaction.atomic():
        counselor = _lock_user(conversation.counselor_id)
        _expire_locked(counselor)
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if not conversation.is_open:
            raise InvalidParam(f"会话已结束（当前状态：{conversation.status}）")
        was_running = _close(
            conversation, status=ConversationStatus.FINISHED, end_time=timezone.now(), actor=actor
        )
        if was_running and conversation.type == ConversationType.COUNSELING_SESSION:
            _promote_waiting(counselor)
    return conversation


def supervision_request(*, counselor, conversation_id, supervisor_id):
    """The counsellor calls in one of its supervisors about a running session of its own; answers the
    supervised session."""
    conversation = access_conversation(counselor, conversation_id)
    if conversation.counselor_id != counselor.pk:
        raise NotFound("会话不存在")
    # a supervisor whose approval was withdrawn sees no visitor's conversation
    supervisor = counselor.supervisors.filter(
        pk=supervisor_id, deleted_at__isnull=True, enabled=True, approved=True
    ).first()
    if supervisor is None:
        raise InvalidParam.field("supervise", "督导不存在或不是您绑定的督导")
    with transaction.atomic():
        locked_counselor = _lock_user(counselor.pk)
        _lock_user(supervisor.pk)
        _expire_locked(locked_counselor)
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if conversation.status != ConversationStatus.IN_PROGRESS:
            raise InvalidParam.field("conversationId", "只能对进行中的会话请求督导")
        existing = Conversation.objects.filter(
            parent=conversation, counselor=supervisor, status__in=OPEN_STATUSES, deleted_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        return Conversation.objects.create(
            type=ConversationType.REQUEST_SUPERVISE,
            status=ConversationStatus.IN_PROGRESS,
            user=counselor,
            counselor=supervisor,
            institution_id=conversation.institution_id,
            parent=conversation,
            start_time=timezone.now(),
            creator=counselor,
            last_updater=counselor,
        )


def conversation_delete(*, actor, conversation_id, ip=""):
    """Hide a conversation (and its supervision requests) from every list and statistic, audited.
    The rows stay in the database: what a visitor said is never destroyed by an API call."""
    conversation = access_conversation(actor, conversation_id)
    with transaction.atomic():
        counselor = _lock_user(conversation.counselor_id)
        # Closing an open supervision adds to its supervisor's total: lock those rows before any conversation.
        supervisors = Conversation.objects.filter(
            parent_id=conversation.pk, deleted_at__isnull=True, status__in=OPEN_STATUSES
        ).values_list("counselor_id", flat=True)
        for supervisor_id in sorted(set(supervisors) - {counselor.pk}):
            _lock_user(supervisor_id)
        _expire_locked(counselor)  # an overdue session is deleted as timed out, not as finished now
        rows = list(
            Conversation.objects.select_for_update().filter(deleted_at__isnull=True, pk=conversation.pk)
        ) + list(
            Conversation.objects.select_for_update().filter(
                deleted_at__isnull=True, parent_id=conversation.pk
            )
        )
        if not rows:
            raise NotFound("会话不存在")
        now = timezone.now()
        promote = False
        for row in rows:
            if row.is_open:
                was_running = _close(row, status=ConversationStatus.FINISHED, end_time=now, actor=actor)
                promote = promote or (was_running and row.type == ConversationType.COUNSELING_SESSION)
            row.deleted_at = now
            row.last_updater = actor
            row.save(update_fields=["deleted_at", "last_updater", "updated_at"])
        if promote:
            _promote_waiting(counselor)
        audit_record(
            actor=actor,
            action="conversation.delete",
            object_type="conversation",
            object_ids=[row.pk for row in rows],
            detail={"visitor": conversation.user_id, "counselor": conversation.counselor_id},
            ip=ip,
        )

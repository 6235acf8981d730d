"""Care of the people served (CONTRACT §10): the risk flag, crisis alerts and their escalation, and
transfer. Writes, each in one transaction; the alert's delivery is a job per recipient, enqueued in the
same transaction by the messages app through the `signals.alert_raised` hook (conversations sits below
messages and never imports it).

Locks follow `services`' order: the visitor, then counsellors (sorted by id), then conversation rows.
Flagging touches neither capacity nor queue membership (the queue is ordered when read and when a
place frees), so it locks the conversation row only."""

import time
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from hotline.api.errors import Forbidden, InvalidParam, NotFound
from hotline.api.timeutil import today
from scheduling.selectors import duty_users, is_on_duty
from users.audit import audit_record
from users.models import User, UserType
from users.scoping import COLLEAGUES, access, visible_to

from . import services
from .constants import (
    DEFAULT_RISK_PHRASES,
    AlertStatus,
    ConversationStatus,
    ConversationType,
    RiskLevel,
    RiskSource,
)
from .models import OPEN_STATUSES, Alert, Conversation, RiskPhrase
from .selectors import access_conversation
from .signals import alert_raised

PHRASE_CACHE_SECONDS = 60

# ---- risk phrases -------------------------------------------------------------------------------------


def normalise(text):
    """What matching compares: NFKC (full-width → half-width, compatibility forms), no whitespace,
    case-folded."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in folded if not ch.isspace())


_phrase_cache = {"expires": 0.0, "phrases": ()}


def any_institution_phrases():
    """The normalised phrases of every institution, cached in the process for PHRASE_CACHE_SECONDS
    (emptied at once in this process when an operator edits one): the IM callback's cheap pre-filter,
    so that only a message that may match enqueues a detection job."""
    now = time.monotonic()
    if _phrase_cache["expires"] < now:
        phrases = {normalise(p) for p in RiskPhrase.objects.values_list("phrase", flat=True).distinct()}
        _phrase_cache["phrases"] = tuple(p for p in phrases if p)
        _phrase_cache["expires"] = now + PHRASE_CACHE_SECONDS
    return _phrase_cache["phrases"]


def may_match(text):
    normalised = normalise(text)
    return bool(normalised) and any(phrase in normalised for phrase in any_institution_phrases())


def _forget_phrases(**kwargs):
    _phrase_cache["expires"] = 0.0


post_save.connect(_forget_phrases, sender=RiskPhrase, dispatch_uid="risk-phrase-cache")
post_delete.connect(_forget_phrases, sender=RiskPhrase, dispatch_uid="risk-phrase-cache-del")


def seed_risk_phrases(institution):
    RiskPhrase.objects.bulk_create(
        [RiskPhrase(institution=institution, phrase=phrase) for phrase in DEFAULT_RISK_PHRASES],
        ignore_conflicts=True,
    )


def matches_institution(institution_id, text):
    normalised = normalise(text)
    if not normalised:
        return False
    phrases = RiskPhrase.objects.filter(institution_id=institution_id).values_list("phrase", flat=True)
    return any(p and p in normalised for p in map(normalise, phrases))


# ---- the flag -----------------------------------------------------------------------------------------


def alert_recipients(conversation, *, escalated=False):
    """Usernames of the supervisors bound to the session's counsellor and the institution's supervisors
    on duty today (each once); an escalation adds the institution's administrators."""
    active = {"deleted_at__isnull": True, "enabled": True, "deactivated_at__isnull": True}
    bound = User.objects.filter(
        pk__in=conversation.counselor.supervisors.values("pk"), approved=True, **active
    )
    on_duty = duty_users(today()).filter(type=UserType.SUPERVISOR, institution_id=conversation.institution_id)
    names = set(bound.values_list("username", flat=True)) | set(on_duty.values_list("username", flat=True))
    if escalated:
        admins = User.objects.filter(
            type=UserType.INSTITUTION, institution_id=conversation.institution_id, **active
        )
        names |= set(admins.values_list("username", flat=True))
    return sorted(names)


def _raise_alert(conversation, source):
    alert = Alert.objects.create(
        conversation=conversation,
        counselor_id=conversation.counselor_id,
        institution_id=conversation.institution_id,
        risk_source=source,
    )
    alert_raised.send(sender=Alert, alert=alert, recipients=alert_recipients(conversation), escalated=False)
    return alert


def flag_high(conversation, source, *, at=None):
    """Flag a locked, open counselling session HIGH and raise its alert; False when already HIGH."""
    if conversation.risk_level == RiskLevel.HIGH:
        return False
    conversation.risk_level = RiskLevel.HIGH
    conversation.risk_source = source
    conversation.risk_time = at or timezone.now()
    conversation.save(update_fields=["risk_level", "risk_source", "risk_time", "updated_at"])
    _raise_alert(conversation, source)
    return True


def flag_by_keyword(*, conversation_id, sender, texts):
    """A visitor's text arriving through the IM callback (run as a job): flags the session HIGH/KEYWORD
    when it is the visitor's open counselling session and a text holds one of its institution's
    phrases. Returns whether it flagged."""
    seen = (
        Conversation.objects.filter(pk=conversation_id, user__username=sender, risk_level=RiskLevel.NONE)
        .values("counselor_id", "institution_id")
        .first()
    )
    # Unlocked first: most messages that reach the job match no phrase of their own institution.
    if seen is None or not any(matches_institution(seen["institution_id"], text) for text in texts):
        return False
    counselor_id = seen["counselor_id"]
    with transaction.atomic():
        # The lock order of `services`: the counsellor, then the conversation (the alert row's foreign
        # key share-locks the counsellor's row, which an end or a start holds before the conversation's).
        services._lock_user(counselor_id)
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("user", "counselor")
            .filter(
                pk=conversation_id,
                type=ConversationType.COUNSELING_SESSION,
                status__in=OPEN_STATUSES,
                deleted_at__isnull=True,
            )
            .first()
        )
        if conversation is None or conversation.user.username != sender:
            return False
        return flag_high(conversation, RiskSource.KEYWORD)


def set_risk(*, actor, conversation_id, level, note, ip=""):
    """Staff set (STAFF) or clear the flag of a session they may see (CONTRACT §10), audited."""
    if actor.type == UserType.VISITOR:
        raise Forbidden()
    found = access_conversation(actor, conversation_id)
    if actor.type == UserType.COUNSELOR and found.counselor_id != actor.pk:
        raise NotFound("会话不存在")
    if found.type != ConversationType.COUNSELING_SESSION:
        raise InvalidParam.field("id", "只能标记咨询会话")
    with transaction.atomic():
        services._lock_user(found.counselor_id)  # lock order: counsellor, then conversation
        conversation = Conversation.objects.select_for_update().select_related("counselor").get(pk=found.pk)
        if level == RiskLevel.HIGH:
            if conversation.status not in OPEN_STATUSES:
                raise InvalidParam.field("level", "会话已结束，无法标记高危")
            changed = flag_high(conversation, RiskSource.STAFF)
        else:
            changed = conversation.risk_level != RiskLevel.NONE
            conversation.risk_level = RiskLevel.NONE
            conversation.risk_source = ""
            conversation.risk_time = None
            conversation.save(update_fields=["risk_level", "risk_source", "risk_time", "updated_at"])
        audit_record(
            actor=actor,
            action="conversation.risk",
            object_type="conversation",
            object_ids=[conversation.pk],
            detail={"level": level, "note": note, "changed": changed},
            ip=ip,
        )
    return conversation


# ---- alerts -------------------------------------------------------------------------------------------


def _check_alert_reader(actor):
    if actor.type not in (UserType.SUPERVISOR, UserType.INSTITUTION, UserType.ADMIN):
        raise Forbidden()


def alerts_visible_to(actor):
    _check_alert_reader(actor)
    return visible_to(actor, Alert.objects.shown())


def alert_ack(*, actor, alert_id):
    """Acknowledge an alert the caller may see; a second acknowledgement changes nothing."""
    if actor.type not in (UserType.SUPERVISOR, UserType.INSTITUTION, UserType.ADMIN):
        raise NotFound("预警不存在")
    with transaction.atomic():
        alert = access(actor, Alert.objects.shown(), alert_id, for_update=True, message="预警不存在")
        if alert.status != AlertStatus.ACKED:
            alert.status = AlertStatus.ACKED
            alert.ack_time = timezone.now()
            alert.ack_by = actor
            alert.save(update_fields=["status", "ack_time", "ack_by"])
    return alert


def escalate_delta():
    return timedelta(minutes=float(settings.CRISIS_ESCALATE_MINUTES))


def alerts_escalate():
    """Send every alert still OPEN CRISIS_ESCALATE_MINUTES after its creation again, once, to the same
    supervisors and the institution's administrators. Rows another pass holds are skipped (SKIP LOCKED),
    and an escalated alert is never picked again: idempotent. Returns how many were escalated."""
    cutoff = timezone.now() - escalate_delta()
    escalated = 0
    with transaction.atomic():
        due = list(
            Alert.objects.shown()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("conversation__counselor")
            .filter(status=AlertStatus.OPEN, escalated=False, created_at__lte=cutoff)
            .order_by("created_at")[:500]
        )
        now = timezone.now()
        for alert in due:
            alert.escalated = True
            alert.escalated_at = now
            alert.save(update_fields=["escalated", "escalated_at"])
            alert_raised.send(
                sender=Alert,
                alert=alert,
                recipients=alert_recipients(alert.conversation, escalated=True),
                escalated=True,
            )
            escalated += 1
    return escalated


# ---- transfer -----------------------------------------------------------------------------------------


def _transfer_target(actor, conversation, counselor_id):
    counselors = User.objects.filter(type=UserType.COUNSELOR, deleted_at__isnull=True)
    target = (
        visible_to(actor, counselors, purpose=COLLEAGUES)
        .filter(pk=counselor_id, institution_id=conversation.institution_id)
        .first()
    )
    if target is None:
        raise InvalidParam.field("counselor", "咨询师不存在")
    if target.pk == conversation.counselor_id:
        raise InvalidParam.field("counselor", "不能转介给当前咨询师")
    if not target.is_active or not target.approved:
        raise InvalidParam.field("counselor", "该咨询师已停用")
    if not is_on_duty(target, today()):
        raise InvalidParam.field("counselor", services.NOT_ON_DUTY)
    return target


def transfer(*, actor, conversation_id, counselor_id, note, ip=""):
    """Hand an open session to another counsellor of the institution (CONTRACT §10): the old one ends
    FINISHED, the new one keeps the flag and the old one's place in line. Answers the new session."""
    if actor.type == UserType.VISITOR:
        raise Forbidden()
    found = access_conversation(actor, conversation_id)
    if actor.type == UserType.COUNSELOR and found.counselor_id != actor.pk:
        raise NotFound("会话不存在")
    if found.type != ConversationType.COUNSELING_SESSION:
        raise InvalidParam.field("id", "只能转介咨询会话")
    target = _transfer_target(actor, found, counselor_id)
    with transaction.atomic():
        services._lock_user(found.user_id)
        locked = {pk: services._lock_user(pk) for pk in sorted({found.counselor_id, target.pk})}
        old_counselor, target = locked[found.counselor_id], locked[target.pk]
        if not target.is_active or not target.approved:
            raise InvalidParam.field("counselor", "该咨询师已停用")
        services._expire_locked(old_counselor)
        services._expire_locked(target)
        old = Conversation.objects.select_for_update().get(pk=found.pk)
        if old.status not in OPEN_STATUSES or old.deleted_at is not None:
            raise InvalidParam(f"会话已结束（当前状态：{old.status}）")
        was_running = services._close(
            old, status=ConversationStatus.FINISHED, end_time=timezone.now(), actor=actor
        )
        # Queued by the old session's arrival, then started by the queue's own rule if it fits.
        new = Conversation.objects.create(
            type=ConversationType.COUNSELING_SESSION,
            status=ConversationStatus.WAITING,
            user_id=old.user_id,
            counselor=target,
            institution_id=old.institution_id,
            creator=actor,
            last_updater=actor,
            risk_level=old.risk_level,
            risk_source=old.risk_source,
            risk_time=old.risk_time,
            queued_at=old.created_at,  # CONTRACT §10: placed by the old session's creation time
            transferred_from=old,
        )
        old.transferred_to = new
        old.save(update_fields=["transferred_to", "updated_at"])
        if not services._promote_waiting(target):
            new.was_waiting = True
            new.save(update_fields=["was_waiting"])
        if was_running:
            services._promote_waiting(old_counselor)
        audit_record(
            actor=actor,
            action="conversation.transfer",
            object_type="conversation",
            object_ids=[old.pk],
            detail={
                "to": new.pk,
                "from_counselor": old.counselor_id,
                "to_counselor": target.pk,
                "note": note,
            },
            ip=ip,
        )
    new.refresh_from_db()
    return new

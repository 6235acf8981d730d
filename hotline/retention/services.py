"""Erasure and retention (issue 12): a visitor anonymised on request or once their data is older than
RETENTION_DAYS, transcripts older than RETENTION_DAYS deleted, audit rows older than AUDIT_RETENTION_DAYS
deleted. What "anonymised" means is in docs/decisions.md ("Audit and retention").

This package sits above every app whose rows it clears (users, conversations, evaluations, messages), like
the demo seeder. Each batch is one transaction that locks its rows with SKIP LOCKED, so several runs share
the work, and every step selects only what is still left to do, so a second run finds nothing."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from conversations.constants import ConversationStatus
from conversations.models import Conversation
from evaluations.models import Evaluation
from hotline.api.errors import InvalidParam
from messages.models import Message
from users.audit import audit_record
from users.models import AuditEntry, User, UserType
from users.selectors import access_managed_user
from users.services import visitor_anonymise

CLOSED_STATUSES = (ConversationStatus.FINISHED, ConversationStatus.TIME_OUT)
OPEN_CONVERSATION = "该访客有未结束的会话，请先结束会话后再删除其个人数据"


def _conversations_of_visitors(user_ids):
    """The visitors' sessions and the supervision requests about them."""
    return Conversation.objects.filter(Q(user_id__in=user_ids) | Q(parent__user_id__in=user_ids))


def _content_erase(users):
    """Delete the visitors' messages (their sessions, the supervision chats about them, anything sent to or
    by their IM identifiers) and blank their evaluations' words; the conversation and evaluation rows stay
    for statistics. Answers (messages deleted, evaluations blanked)."""
    user_ids = [user.pk for user in users]
    identifiers = [user.username for user in users]
    conversation_ids = _conversations_of_visitors(user_ids).values("pk")
    deleted, _ = Message.objects.filter(
        Q(conversation_id__in=conversation_ids)
        | Q(from_account__in=identifiers)
        | Q(to_account__in=identifiers)
    ).delete()
    blanked = (
        Evaluation.objects.filter(conversation_id__in=conversation_ids)
        .exclude(content="")
        .update(content="", updated_at=timezone.now())
    )
    return deleted, blanked


@transaction.atomic
def visitor_erase(*, actor, user_id, ip=""):
    """An erasure request carried out by an administrator of the visitor's institution (404 outside its
    scope or for a user who is not a visitor). Refused while the visitor has an open conversation: the
    session must end first, it is never cut off by an erasure. Erasing an erased visitor again is harmless."""
    user = access_managed_user(actor, user_id=user_id, types=[UserType.VISITOR], for_update=True)
    if Conversation.objects.filter(user=user, end_time__isnull=True).exists():
        raise InvalidParam(OPEN_CONVERSATION)
    messages, evaluations = _content_erase([user])
    visitor_anonymise(actor=actor, user=user)
    audit_record(
        actor=actor,
        action="visitor.erase",
        object_type="user",
        object_ids=[user.pk],
        detail={"reason": "request", "messages": messages, "evaluations": evaluations},
        ip=ip,
    )
    return user


@dataclass
class PurgeCounts:
    visitors: int = 0
    conversations: int = 0
    messages: int = 0
    evaluations: int = 0
    audit: int = 0
    cutoffs: dict = field(default_factory=dict)

    def as_detail(self):
        return {
            "visitors": self.visitors,
            "conversations": self.conversations,
            "messages": self.messages,
            "evaluations": self.evaluations,
            "audit": self.audit,
            **self.cutoffs,
        }


def _recent_or_open(cutoff):
    return Q(end_time__isnull=True) | Q(end_time__gte=cutoff) | Q(created_at__gte=cutoff)


def expired_visitors(cutoff):
    """Visitors not erased yet whose account, last sign-in and every conversation (none open) are older
    than the cutoff."""
    recent = Conversation.objects.filter(user_id=OuterRef("pk")).filter(_recent_or_open(cutoff))
    return (
        User.objects.filter(type=UserType.VISITOR, erased_at__isnull=True, created_at__lt=cutoff)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        .exclude(Exists(recent))
    )


def visitors_purge(cutoff, *, batch_size, progress=None):
    """Anonymise the expired visitors, a batch per transaction. The visitors' rows are locked (SKIP LOCKED:
    another run takes other rows), then re-checked: starting a conversation locks the visitor first, so a
    visitor who is not busy under the lock stays so until commit."""
    total = messages = evaluations = 0
    skipped = set()
    while True:
        with transaction.atomic():
            batch = list(
                expired_visitors(cutoff)
                .exclude(pk__in=skipped)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            busy = set(
                Conversation.objects.filter(user__in=batch)
                .filter(_recent_or_open(cutoff))
                .values_list("user_id", flat=True)
            )
            skipped |= busy
            batch = [user for user in batch if user.pk not in busy]
            if not batch:
                continue
            deleted, blanked = _content_erase(batch)
            for user in batch:
                visitor_anonymise(actor=None, user=user)
            audit_record(
                actor=None,
                actor_username="purge_expired",
                action="visitor.erase",
                object_type="user",
                object_ids=[user.pk for user in batch],
                detail={"reason": "retention"},
            )
        total += len(batch)
        messages += deleted
        evaluations += blanked
        if progress:
            progress(f"visitors anonymised: {total}")
    return total, messages, evaluations


def transcripts_purge(cutoff, *, batch_size, progress=None):
    """Delete the messages of conversations closed before the cutoff (open ones are never touched) and
    blank their evaluations' words, a batch of conversations per transaction (their rows locked, SKIP
    LOCKED). Then messages that name no known conversation and were sent before the cutoff."""
    has_messages = Exists(Message.objects.filter(conversation_id=OuterRef("pk")))
    candidates = Conversation.objects.filter(status__in=CLOSED_STATUSES, end_time__lt=cutoff).filter(
        has_messages
    )
    conversations = messages = evaluations = 0
    while True:
        with transaction.atomic():
            ids = list(
                candidates.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            # Re-read now that the rows are ours: a concurrent run may have committed these conversations'
            # deletions after this statement's snapshot, and a row lock re-checks only the row itself.
            ids = list(
                Conversation.objects.filter(pk__in=ids).filter(has_messages).values_list("pk", flat=True)
            )
            deleted, _ = Message.objects.filter(conversation_id__in=ids).delete()
            blanked = (
                Evaluation.objects.filter(conversation_id__in=ids)
                .exclude(content="")
                .update(content="", updated_at=timezone.now())
            )
        conversations += len(ids)
        messages += deleted
        evaluations += blanked
        if progress:
            progress(f"transcripts deleted: {conversations} conversations, {messages} messages")
    evaluations += (
        Evaluation.objects.filter(conversation__status__in=CLOSED_STATUSES, conversation__end_time__lt=cutoff)
        .exclude(content="")
        .update(content="", updated_at=timezone.now())
    )
    known = Conversation.objects.filter(pk=OuterRef("conversation_id"))
    orphans = Message.objects.filter(msg_time__lt=int(cutoff.timestamp())).exclude(Exists(known))
    while True:
        ids = list(orphans.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        deleted, _ = Message.objects.filter(pk__in=ids).delete()
        messages += deleted
        if progress:
            progress(f"messages without a known conversation deleted: {deleted}")
    return conversations, messages, evaluations


def audit_purge(cutoff, *, batch_size, progress=None):
    """Delete audit rows older than the cutoff (the trigger allows it past the 183-day floor only)."""
    total = 0
    old = AuditEntry.objects.filter(created_at__lt=cutoff)
    while True:
        ids = list(old.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        deleted, _ = AuditEntry.objects.filter(pk__in=ids).delete()
        total += deleted
        if progress:
            progress(f"audit rows deleted: {total}")
        if not deleted:
            break  # another run deleted them first
    return total


def purge_expired(*, batch_size=200, progress=None, now=None):
    """The retention run: transcripts and visitors past RETENTION_DAYS (when set), audit rows past
    AUDIT_RETENTION_DAYS; one audit row with the counts."""
    now = now or timezone.now()
    counts = PurgeCounts()
    if settings.RETENTION_DAYS:
        cutoff = now - timedelta(days=settings.RETENTION_DAYS)
        counts.cutoffs["before"] = cutoff.isoformat()
        counts.conversations, messages, evaluations = transcripts_purge(
            cutoff, batch_size=batch_size, progress=progress
        )
        counts.visitors, more_messages, more_evaluations = visitors_purge(
            cutoff, batch_size=batch_size, progress=progress
        )
        counts.messages = messages + more_messages
        counts.evaluations = evaluations + more_evaluations
    audit_cutoff = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    counts.cutoffs["auditBefore"] = audit_cutoff.isoformat()
    counts.audit = audit_purge(audit_cutoff, batch_size=batch_size * 25, progress=progress)
    audit_record(
        actor=None,
        actor_username="purge_expired",
        action="retention.purge",
        object_type="retention",
        detail={"retentionDays": settings.RETENTION_DAYS, **counts.as_detail()},
    )
    return counts

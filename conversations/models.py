from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hotline.ids import new_id
from users.models import Institution

from .constants import AlertStatus, ConversationStatus, ConversationType, RiskLevel, RiskSource

OPEN_STATUSES = (ConversationStatus.WAITING, ConversationStatus.IN_PROGRESS)


def timeout_delta():
    return timedelta(minutes=float(settings.CONVERSATION_TIMEOUT_MINUTES))


def overdue(prefix=""):
    """Q for IN_PROGRESS conversations past the timeout: reads show them TIME_OUT, the scheduler's
    `expire_conversations` pass writes it. `prefix` reaches the conversation through a relation."""
    return Q(
        **{
            f"{prefix}status": ConversationStatus.IN_PROGRESS,
            f"{prefix}start_time__lt": timezone.now() - timeout_delta(),
        }
    )


def running(prefix=""):
    """Q for counselling sessions that hold one of their counsellor's places: IN_PROGRESS, not overdue,
    not deleted."""
    return Q(
        **{
            f"{prefix}status": ConversationStatus.IN_PROGRESS,
            f"{prefix}type": ConversationType.COUNSELING_SESSION,
            f"{prefix}deleted_at__isnull": True,
            f"{prefix}start_time__gte": timezone.now() - timeout_delta(),
        }
    )


class Conversation(models.Model):
    """A counselling session (user = visitor, counselor = counsellor) or a supervision request
    (user = counsellor, counselor = supervisor, parent = the session it is about)."""

    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    type = models.CharField(
        max_length=24, choices=ConversationType.choices, default=ConversationType.COUNSELING_SESSION
    )
    status = models.CharField(max_length=16, choices=ConversationStatus.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations")
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="counseled_conversations"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="conversations")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supervisions"
    )
    start_time = models.DateTimeField(null=True, blank=True, db_index=True)
    end_time = models.DateTimeField(null=True, blank=True)
    duration = models.BigIntegerField(default=0, help_text="milliseconds")
    deleted_at = models.DateTimeField(null=True, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_updater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Care of the people served (CONTRACT §10): the risk flag, the place in line (a transferred session
    # keeps the old one's), and the transfer chain.
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, default=RiskLevel.NONE)
    risk_source = models.CharField(max_length=8, choices=RiskSource.choices, blank=True, default="")
    risk_time = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(
        default=timezone.now, help_text="place in line: arrival, or the transferred session's"
    )
    was_waiting = models.BooleanField(default=False, help_text="queued before it started (waiting figures)")
    transferred_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transferred_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "会话"
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(
                    status__in=["WAITING", "IN_PROGRESS"], type="COUNSELING_SESSION", deleted_at__isnull=True
                ),
                name="one_open_session_per_visitor",
            )
        ]
        indexes = [
            models.Index(fields=["counselor", "status", "created_at"]),
            models.Index(fields=["institution", "created_at"]),
            models.Index(fields=["status", "start_time"]),
        ]
        # consultlist's default order has an index per database: migration 0002_perf_indexes.

    def __str__(self):
        return f"{self.get_type_display()} {self.id} ({self.status})"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class RiskPhrase(models.Model):
    """A phrase that flags a visitor's session HIGH/KEYWORD (CONTRACT §10), per institution. Every new
    institution gets the defaults (`receivers.seed_risk_phrases`); operators edit them in the admin."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="risk_phrases")
    phrase = models.CharField("风险词", max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "风险词"
        constraints = [models.UniqueConstraint(fields=["institution", "phrase"], name="one_risk_phrase")]

    def __str__(self):
        return self.phrase


class Alert(models.Model):
    """A crisis alert: one per time a session becomes HIGH (CONTRACT §10). Sent to supervisors by jobs
    (messages/tasks.py); escalated once to the institution's administrators when left OPEN."""

    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="alerts")
    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    risk_source = models.CharField(max_length=8, choices=RiskSource.choices)
    status = models.CharField(max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ack_time = models.DateTimeField(null=True, blank=True)
    ack_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "危机预警"
        indexes = [models.Index(fields=["status", "escalated", "created_at"])]

    def __str__(self):
        return f"{self.conversation_id} {self.status}"

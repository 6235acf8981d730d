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

    id = models.CharField("编号", primary_key=True, max_length=32, default=new_id, editable=False)
    type = models.CharField(
        "类型", max_length=24, choices=ConversationType.choices, default=ConversationType.COUNSELING_SESSION
    )
    status = models.CharField("状态", max_length=16, choices=ConversationStatus.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="访客", on_delete=models.PROTECT, related_name="conversations"
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="counseled_conversations",
        verbose_name="咨询师",
    )
    institution = models.ForeignKey(
        Institution, verbose_name="机构", on_delete=models.PROTECT, related_name="conversations"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisions",
        verbose_name="所属会话",
    )
    start_time = models.DateTimeField("开始时间", null=True, blank=True, db_index=True)
    end_time = models.DateTimeField("结束时间", null=True, blank=True)
    duration = models.BigIntegerField("时长（毫秒）", default=0, help_text="milliseconds")
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="创建人",
    )
    last_updater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="最后修改人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Care of the people served (CONTRACT §10): the risk flag, the place in line (a transferred session
    # keeps the old one's), and the transfer chain.
    risk_level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices, default=RiskLevel.NONE)
    risk_source = models.CharField(
        "风险来源", max_length=8, choices=RiskSource.choices, blank=True, default=""
    )
    risk_time = models.DateTimeField("标记风险时间", null=True, blank=True)
    queued_at = models.DateTimeField(
        "排队时间", default=timezone.now, help_text="place in line: arrival, or the transferred session's"
    )
    was_waiting = models.BooleanField(
        "曾排队等待", default=False, help_text="queued before it started (waiting figures)"
    )
    transferred_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="转自会话"
    )
    transferred_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="转至会话"
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
            # consultlist's name filters (performance, issue 13): the matching people's conversations
            # counted and checked index-only, without visiting up to 10 000 table rows.
            models.Index(
                fields=["user", "institution"],
                condition=models.Q(deleted_at__isnull=True),
                name="conv_perf_user_inst",
            ),
            models.Index(
                fields=["counselor", "institution"],
                condition=models.Q(deleted_at__isnull=True),
                name="conv_perf_counselor_inst",
            ),
        ]
        # consultlist's default order has an index per database: migrations 0002 and 0005.

    def __str__(self):
        return f"{self.get_type_display()} {self.id} ({self.status})"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class RiskPhrase(models.Model):
    """A phrase that flags a visitor's session HIGH/KEYWORD (CONTRACT §10), per institution. Every new
    institution gets the defaults (`receivers.seed_risk_phrases`); operators edit them in the admin."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="risk_phrases", verbose_name="机构"
    )
    phrase = models.CharField("风险词", max_length=64)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "风险词"
        constraints = [models.UniqueConstraint(fields=["institution", "phrase"], name="one_risk_phrase")]

    def __str__(self):
        return self.phrase


class AlertQuerySet(models.QuerySet):
    def shown(self):
        """Alerts of sessions not deleted: a deleted conversation's alert is gone with it (CONTRACT §5)
        from the list, acknowledgement, escalation, gauges and the dashboard."""
        return self.filter(conversation__deleted_at__isnull=True)


class Alert(models.Model):
    """A crisis alert: one per time a session becomes HIGH (CONTRACT §10). Sent to supervisors by jobs
    (messages/tasks.py); escalated once to the institution's administrators when left OPEN."""

    id = models.CharField("编号", primary_key=True, max_length=32, default=new_id, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="alerts", verbose_name="会话"
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="咨询师"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name="机构"
    )
    risk_source = models.CharField("风险来源", max_length=8, choices=RiskSource.choices)
    status = models.CharField("状态", max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    created_at = models.DateTimeField("创建时间", default=timezone.now, db_index=True)
    ack_time = models.DateTimeField("确认时间", null=True, blank=True)
    ack_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="确认人",
    )
    escalated = models.BooleanField("已升级", default=False)
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "危机预警"
        indexes = [models.Index(fields=["status", "escalated", "created_at"])]

    def __str__(self):
        return f"{self.conversation_id} {self.status}"

from django.conf import settings
from django.db import models
from django.db.models import Q

from hotline.ids import new_id


class DutyType(models.TextChoices):
    COUNSELOR = "COUNSELOR", "咨询师"
    SUPERVISOR = "SUPERVISOR", "督导"


class Arrangement(models.Model):
    """A user on duty on one Asia/Shanghai day: the one duty model (CONTRACT §6).

    A row without times is a whole duty day (hotline `/arrange`); rows with `start_time`/`end_time` are
    the workspace's work slots of that day. Rows that come from weekly duty are materialised on first
    read (`source=WEEKLY`). Removing a day keeps the row as a tombstone (`removed`), so that weekly duty
    does not bring it back.
    """

    class Source(models.TextChoices):
        DAY = "DAY", "按日排班"
        WEEKLY = "WEEKLY", "按周排班"

    id = models.CharField("编号", primary_key=True, max_length=32, default=new_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="值班人", on_delete=models.CASCADE, related_name="arrangements"
    )
    type = models.CharField("值班类型", max_length=16, choices=DutyType.choices)
    date = models.DateField("日期", db_index=True)
    start_time = models.TimeField("开始时间", null=True, blank=True)
    end_time = models.TimeField("结束时间", null=True, blank=True)
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.DAY)
    removed = models.BooleanField("已取消", default=False)
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
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "排班"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "date"], condition=Q(start_time__isnull=True), name="one_duty_day_per_user"
            ),
            models.UniqueConstraint(
                fields=["user", "date", "start_time", "end_time"], name="one_slot_per_time"
            ),
        ]
        indexes = [models.Index(fields=["date", "type", "removed"])]

    def __str__(self):
        return f"{self.user_id} {self.date}"


class WeeklyDuty(models.Model):
    """A user's duty on one weekday (1 = Monday … 7 = Sunday) from `valid_from` on (`/arrange/batch`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="值班人",
        on_delete=models.CASCADE,
        related_name="weekly_duties",
    )
    type = models.CharField("值班类型", max_length=16, choices=DutyType.choices)
    weekday = models.PositiveSmallIntegerField("星期")
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("失效日期", null=True, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "每周排班"
        indexes = [models.Index(fields=["weekday", "valid_from"])]

    def __str__(self):
        return f"{self.user_id} weekday {self.weekday}"


class Presence(models.Model):
    """The IM provider's last known presence of an identifier (State.StateChange callbacks)."""

    identifier = models.CharField(max_length=64, primary_key=True)
    online = models.BooleanField(default=False)
    action = models.CharField(max_length=16, blank=True, default="")
    event_time = models.BigIntegerField(default=0, help_text="provider's event time in ms, for ordering")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "在线状态"

    def __str__(self):
        return f"{self.identifier}: {'online' if self.online else 'offline'}"


class LeavePeriod(models.Model):
    """A counsellor's leave (停诊): not on duty on any day it overlaps (workspace /schedule/stop)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="咨询师",
        on_delete=models.CASCADE,
        related_name="leave_periods",
    )
    start = models.DateTimeField("开始时间")
    end = models.DateTimeField("结束时间")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "停诊"
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="leave_not_reversed")
        ]

    def __str__(self):
        return f"{self.user_id} {self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M}"

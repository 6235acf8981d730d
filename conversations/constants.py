"""Conversation vocabularies shared with /config (CONTRACT §5)."""

from django.db import models


class ConversationStatus(models.TextChoices):
    WAITING = "WAITING", "等待中"
    IN_PROGRESS = "IN_PROGRESS", "进行中"
    TIME_OUT = "TIME_OUT", "已超时"
    FINISHED = "FINISHED", "已结束"


class ConversationType(models.TextChoices):
    COUNSELING_SESSION = "COUNSELING_SESSION", "咨询会话"
    REQUEST_SUPERVISE = "REQUEST_SUPERVISE", "请求督导"

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


class RiskLevel(models.TextChoices):
    NONE = "NONE", "无"
    HIGH = "HIGH", "高危"


class RiskSource(models.TextChoices):
    VISITOR = "VISITOR", "来访者紧急求助"
    KEYWORD = "KEYWORD", "关键词识别"
    STAFF = "STAFF", "工作人员标记"


class AlertStatus(models.TextChoices):
    OPEN = "OPEN", "待处理"
    ACKED = "ACKED", "已确认"


# The risk phrases every institution starts with (CONTRACT §10); operators edit them in the admin.
DEFAULT_RISK_PHRASES = ("自杀", "不想活", "想死", "轻生", "割腕", "跳楼", "结束生命", "活着没意思")

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from users.adminsite import OperatorReadOnlyAdmin

from .models import Alert, Conversation, RiskPhrase


@admin.register(Conversation)
class ConversationAdmin(OperatorReadOnlyAdmin):
    """Sessions and supervision requests, read-only. The transcript is not on this page: its messages are
    on the message pages (each one's view audited), linked from here."""

    list_display = ("id", "type", "status", "institution", "user", "counselor", "start_time", "end_time")
    list_filter = ("type", "status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("=id", "=user__username", "=counselor__username", "counselor__name")
    search_help_text = "按会话 id、访客或咨询师用户名精确查找，或按咨询师姓名查找"
    list_select_related = ("institution", "user", "counselor")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    readonly_fields = ("transcript_link",)

    @admin.display(description="聊天记录")
    def transcript_link(self, obj):
        url = reverse("admin:hotline_messages_message_changelist") + f"?conversation__id__exact={obj.pk}"
        return format_html('<a href="{}">查看本会话的消息（逐条查看均记入审计日志）</a>', url)


@admin.register(RiskPhrase)
class RiskPhraseAdmin(admin.ModelAdmin):
    """Operators edit each institution's risk phrases (CONTRACT §10); matching ignores spaces and
    full-width/half-width differences, so one spelling per phrase is enough."""

    list_display = ("phrase", "institution", "created_at")
    list_filter = ("institution",)
    search_fields = ("phrase",)


@admin.register(Alert)
class AlertAdmin(OperatorReadOnlyAdmin):
    """Crisis alerts, read-only: supervisors acknowledge them through the API. An institution
    administrator sees its institution's alerts (`users.scoping`, purpose `OPERATE`)."""

    list_display = (
        "id",
        "conversation_id",
        "institution",
        "risk_source",
        "status",
        "escalated",
        "created_at",
    )
    list_filter = ("status", "escalated", "risk_source")
    list_select_related = ("institution",)
    ordering = ("-created_at",)

from django.contrib import admin

from users.adminsite import OperatorReadOnlyAdmin

from .models import ImAccount, Message


@admin.register(Message)
class MessageAdmin(OperatorReadOnlyAdmin):
    """The archive, read-only (also a message whose conversation is unknown, for superusers). The list
    shows who wrote to whom and when, never the text; opening one message shows its text and callback
    body and writes a `message.read` audit row (`users.audit.AUDITED_READS`)."""

    audited_read = "message"
    list_display = (
        "msg_key",
        "from_account",
        "to_account",
        "msg_time",
        "conversation_id",
        "is_revoked",
        "created_at",
    )
    list_filter = ("is_revoked", "callback_command")
    search_fields = ("=msg_key", "=from_account", "=to_account", "=conversation__id")
    search_help_text = "按消息键、发送方、接收方或会话 id 精确查找"
    ordering = ("-created_at",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Message._meta.fields]


@admin.register(ImAccount)
class ImAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "imported_at", "attempts", "updated_at")
    readonly_fields = ("user", "imported_at", "attempts", "last_error", "updated_at")

    def has_add_permission(self, request):
        return False

from django.contrib import admin

from .models import ImAccount, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The archive is read-only for operators: find a message (also one whose conversation is unknown)."""

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
    search_fields = ("msg_key", "from_account", "to_account", "cloud_custom_data")
    readonly_fields = [field.name for field in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImAccount)
class ImAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "imported_at", "attempts", "updated_at")
    readonly_fields = ("user", "imported_at", "attempts", "last_error", "updated_at")

    def has_add_permission(self, request):
        return False

from django.contrib import admin

from .models import Alert, RiskPhrase


@admin.register(RiskPhrase)
class RiskPhraseAdmin(admin.ModelAdmin):
    """Operators edit each institution's risk phrases (CONTRACT §10); matching ignores spaces and
    full-width/half-width differences, so one spelling per phrase is enough."""

    list_display = ("phrase", "institution", "created_at")
    list_filter = ("institution",)
    search_fields = ("phrase",)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Crisis alerts, read-only: they are acknowledged through the API by supervisors."""

    list_display = (
        "id",
        "conversation_id",
        "institution",
        "risk_source",
        "status",
        "escalated",
        "created_at",
    )
    list_filter = ("status", "escalated", "risk_source", "institution")
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request):
        return False

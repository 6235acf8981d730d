from django.contrib import admin

from users.adminsite import OperatorReadOnlyAdmin

from .models import Arrangement, LeavePeriod, WeeklyDuty


@admin.register(Arrangement)
class ArrangementAdmin(OperatorReadOnlyAdmin):
    """Duty days and work slots as stored (weekly duty is materialised on first read, `source`)."""

    list_display = ("date", "user", "type", "start_time", "end_time", "source", "removed")
    list_filter = ("type", "source", "removed", ("date", admin.DateFieldListFilter))
    search_fields = ("user__name", "=user__username")
    search_help_text = "按值班人姓名或用户名查找"
    list_select_related = ("user",)
    date_hierarchy = "date"
    ordering = ("-date", "start_time")


@admin.register(WeeklyDuty)
class WeeklyDutyAdmin(OperatorReadOnlyAdmin):
    list_display = ("user", "type", "weekday", "valid_from", "valid_until", "created_at")
    list_filter = ("type", "weekday")
    search_fields = ("user__name", "=user__username")
    search_help_text = "按值班人姓名或用户名查找"
    list_select_related = ("user",)
    ordering = ("weekday", "user__name")


@admin.register(LeavePeriod)
class LeavePeriodAdmin(OperatorReadOnlyAdmin):
    list_display = ("user", "start", "end", "created_at")
    list_filter = (("start", admin.DateFieldListFilter),)
    search_fields = ("user__name", "=user__username")
    search_help_text = "按咨询师姓名或用户名查找"
    list_select_related = ("user",)
    ordering = ("-start",)

"""The workspace's orders and case files, read-only. Opening an archive, an interview record or an intake
profile is an audited read, as in the workspace's API (`users.audit.AUDITED_READS`); the lists show no
narrative text."""

from django.contrib import admin

from users.adminsite import OperatorReadOnlyAdmin

from .models import Archive, IntakeProfile, InterviewRecord, Order


@admin.register(Order)
class OrderAdmin(OperatorReadOnlyAdmin):
    list_display = ("order_id", "consultant", "name", "type", "date", "time", "status", "commit_time")
    list_filter = ("status", "type", ("date", admin.DateFieldListFilter))
    search_fields = ("=order_id", "consultant__name")
    search_help_text = "按订单号精确查找，或按咨询师姓名查找"
    list_select_related = ("consultant",)
    ordering = ("-commit_time",)


@admin.register(Archive)
class ArchiveAdmin(OperatorReadOnlyAdmin):
    audited_read = "archive"
    list_display = ("std_name", "consultant", "std_school", "std_grade", "interview_status", "create_time")
    list_filter = ("interview_status", "interview_type")
    search_fields = ("std_name", "consultant__name")
    search_help_text = "按学生姓名或咨询师姓名查找"
    list_select_related = ("consultant",)
    ordering = ("-create_time",)


@admin.register(InterviewRecord)
class InterviewRecordAdmin(OperatorReadOnlyAdmin):
    """One record is part of its archive's case file: its view is audited as a read of that archive."""

    audited_read = "archive"
    list_display = ("archive", "count", "name", "date", "time", "visit_status", "crisis_status")
    list_filter = ("visit_status", "crisis_status")
    search_fields = ("name", "=archive__id")
    search_help_text = "按姓名或档案 id 查找"
    list_select_related = ("archive",)
    ordering = ("-created_at",)

    def audited_object_id(self, obj):
        return obj.archive_id


@admin.register(IntakeProfile)
class IntakeProfileAdmin(OperatorReadOnlyAdmin):
    audited_read = "intake"
    list_display = ("order", "updated_at")
    search_fields = ("=order__order_id",)
    search_help_text = "按订单号精确查找"
    list_select_related = ("order",)
    ordering = ("-updated_at",)

    def audited_object_id(self, obj):
        return obj.order_id

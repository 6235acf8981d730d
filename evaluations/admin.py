from django.contrib import admin

from users.adminsite import OperatorReadOnlyAdmin

from .models import Evaluation


@admin.register(Evaluation)
class EvaluationAdmin(OperatorReadOnlyAdmin):
    list_display = ("conversation", "level", "content", "creator", "created_at")
    list_filter = ("level", ("created_at", admin.DateFieldListFilter))
    search_fields = ("=conversation__id", "conversation__counselor__name")
    search_help_text = "按会话 id 精确查找，或按咨询师姓名查找"
    list_select_related = ("conversation", "creator")
    ordering = ("-created_at",)

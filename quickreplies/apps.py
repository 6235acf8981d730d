from django.apps import AppConfig


class QuickRepliesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quickreplies"
    verbose_name = "快捷回复"

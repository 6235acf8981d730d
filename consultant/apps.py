from django.apps import AppConfig


class ConsultantConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultant"
    verbose_name = "咨询师工作台"

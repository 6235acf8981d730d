from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "hotline.dashboard"
    label = "dashboard"
    verbose_name = "运营仪表盘"

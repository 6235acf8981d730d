from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "hotline.retention"
    label = "retention"
    verbose_name = "数据保留与删除"

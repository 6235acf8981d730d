from django.apps import AppConfig


class MessagesConfig(AppConfig):
    """Chat transcripts from the IM provider. Labelled apart from django.contrib.messages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "messages"
    label = "hotline_messages"
    verbose_name = "消息"

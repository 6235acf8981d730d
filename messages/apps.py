from django.apps import AppConfig


class MessagesConfig(AppConfig):
    """Chat transcripts from the IM provider. Labelled apart from django.contrib.messages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "messages"
    label = "hotline_messages"
    verbose_name = "消息"

    def ready(self):
        """Connect the hooks of the lower apps (docs/architecture.md, "Hooks")."""
        from users.signals import user_created

        from . import im_accounts

        user_created.connect(im_accounts.import_on_user_created, dispatch_uid="messages")

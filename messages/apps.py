import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger(__name__)


class MessagesConfig(AppConfig):
    """Chat transcripts from the IM provider. Labelled apart from django.contrib.messages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "messages"
    label = "hotline_messages"
    verbose_name = "消息"

    def ready(self):
        """Warn about unsigned callbacks; connect the hooks of the lower apps (docs/architecture.md)."""
        if not settings.TIM_CALLBACK_TOKEN:
            # Only reachable with DEBUG=1: settings refuse to start without the token otherwise.
            logger.warning(
                "TIM_CALLBACK_TOKEN is empty: IM callbacks are accepted unsigned (development only)"
            )

        from conversations.signals import alert_raised
        from users.signals import user_created, user_disabled

        from . import metrics, tasks

        metrics.register()
        user_created.connect(tasks.import_on_user_created, dispatch_uid="messages")
        user_disabled.connect(tasks.kick_on_user_disabled, dispatch_uid="messages")
        alert_raised.connect(tasks.enqueue_alert, dispatch_uid="messages")

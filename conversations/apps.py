from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversations"
    verbose_name = "会话"

    def ready(self):
        """Connect the hooks of the lower apps (docs/architecture.md, "Hooks")."""
        from django.db.models.signals import post_save

        from scheduling.selectors import register_duty_page_figures
        from users.models import Institution
        from users.signals import capacity_changed, user_disabled

        from . import metrics, receivers, selectors

        metrics.register()
        register_duty_page_figures(selectors.duty_page_figures)
        user_disabled.connect(receivers.close_conversations_of_disabled_user, dispatch_uid="conversations")
        capacity_changed.connect(receivers.start_waiting_that_fit, dispatch_uid="conversations")
        post_save.connect(receivers.seed_risk_phrases, sender=Institution, dispatch_uid="risk-phrases")

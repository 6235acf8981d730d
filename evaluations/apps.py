from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluations"
    verbose_name = "评价"

    def ready(self):
        """Connect the hooks of the lower apps (docs/architecture.md, "Hooks")."""
        from scheduling.selectors import register_duty_page_figures

        from . import receivers, selectors

        register_duty_page_figures(selectors.duty_page_figures)
        receivers.connect()

from django.core.management.base import BaseCommand

from conversations.care import alerts_escalate


class Command(BaseCommand):
    help = (
        "Send crisis alerts still open CRISIS_ESCALATE_MINUTES after creation again, to administrators too."
    )

    def handle(self, *args, **options):
        escalated = alerts_escalate()
        self.stdout.write(f"{escalated} alert(s) escalated")

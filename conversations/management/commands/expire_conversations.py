from django.core.management.base import BaseCommand

from conversations.services import conversations_expire


class Command(BaseCommand):
    help = "Time out conversations running longer than CONVERSATION_TIMEOUT_MINUTES and start waiting ones."

    def handle(self, *args, **options):
        expired = conversations_expire()
        self.stdout.write(f"{expired} conversation(s) timed out")

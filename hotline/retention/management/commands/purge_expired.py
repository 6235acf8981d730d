from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hotline.retention.services import purge_expired


class Command(BaseCommand):
    help = (
        "Anonymise visitors and delete transcripts older than RETENTION_DAYS (0: never), delete audit rows "
        "older than AUDIT_RETENTION_DAYS; idempotent, and safe to run from several processes at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200, help="rows per transaction (default 200)")

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if not settings.RETENTION_DAYS:
            self.stdout.write(
                "RETENTION_DAYS is 0: visitors and transcripts are kept; purging old audit rows only"
            )
        counts = purge_expired(batch_size=batch_size, progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"purge_expired: {counts.visitors} visitors anonymised, {counts.conversations} transcripts "
                f"({counts.messages} messages) deleted, {counts.evaluations} evaluation comments cleared, "
                f"{counts.audit} audit rows deleted"
            )
        )

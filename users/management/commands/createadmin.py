from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from users.models import Institution, User, UserType
from users.services import md5_hex


class Command(BaseCommand):
    help = "Create a system administrator (the hotline login then sends md5 of the password)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True, help="the plain password")
        parser.add_argument(
            "--institution", default=None, help="institution code (default DEFAULT_INSTITUTION)"
        )

    @transaction.atomic
    def handle(self, *args, username, password, institution, **options):
        code = institution or settings.DEFAULT_INSTITUTION
        if not password:
            raise CommandError("--password must not be empty")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        inst, created = Institution.objects.get_or_create(code=code, defaults={"name": code})
        user = User(
            username=username,
            type=UserType.ADMIN,
            institution=inst,
            name=username,
            state="NORMAL",
            is_staff=True,
            is_superuser=True,
        )
        user.set_password(md5_hex(password))
        user.save(force_insert=True)
        if created:
            self.stdout.write(f"created institution {code}")
        self.stdout.write(self.style.SUCCESS(f"created system administrator {username} in {code}"))

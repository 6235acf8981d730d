from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from hotline.crypto import DecryptionFailed, EncryptedMixin, HashField, reencrypt_table


def encrypted_tables():
    """(model, encrypted columns, (hash column, source column) pairs) of every installed model that has
    encrypted fields (found by field type, so a new encrypted field is rotated without listing it here)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = model._meta.concrete_fields
        columns = [field.column for field in fields if isinstance(field, EncryptedMixin)]
        if not columns:
            continue
        by_name = {field.name: field for field in fields}
        hashes = [
            (field.column, by_name[field.source].column) for field in fields if isinstance(field, HashField)
        ]
        found.append((model, columns, hashes))
    return found


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEYS (values already under "
        "it are left alone), in batches; afterwards the other keys can be removed. --rehash also recomputes "
        "the lookup hashes (after FIELD_HASH_KEY changed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--rehash", action="store_true", help="recompute the phone / ID-number hashes with FIELD_HASH_KEY"
        )

    def handle(self, *args, batch_size, rehash, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be positive")
        totals = {"rows": 0, "changed": 0, "values": 0}
        for model, columns, hashes in encrypted_tables():
            label = model._meta.label
            table = model._meta.db_table

            def progress(counts, label=label):
                self.stdout.write(f"  {label}: {counts.rows} rows read, {counts.changed} rewritten")

            self.stdout.write(f"{label} ({table}): {', '.join(columns)}")
            try:
                counts = reencrypt_table(
                    connection,
                    table,
                    columns,
                    pk=model._meta.pk.column,
                    hashes=hashes,
                    rehash=rehash,
                    batch_size=batch_size,
                    progress=progress,
                )
            except DecryptionFailed as exc:
                raise CommandError(
                    f"{label}: {exc}. Rows already rewritten stay readable; add the missing key and run "
                    "the command again."
                ) from None
            totals["rows"] += counts.rows
            totals["changed"] += counts.changed
            totals["values"] += counts.values
        self.stdout.write(
            self.style.SUCCESS(
                f"done: {totals['rows']} rows read, {totals['changed']} rows rewritten, "
                f"{totals['values']} values re-encrypted with the first key"
            )
        )

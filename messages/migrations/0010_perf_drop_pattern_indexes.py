"""Performance (issue 13): the IM callback's insert maintains fewer indexes.

Django gives every indexed or unique `CharField` on PostgreSQL a second, `varchar_pattern_ops` index
(`…_like`) that only serves `LIKE 'prefix%'`. Nothing filters messages or callback deliveries by prefix
(lookups and the admin's searches are exact, served by the plain B-tree or unique index), yet each IM
callback wrote an entry into five of them. Dropping them cut the database time of a signed callback from
0.75 to 0.61 ms (in-process, 6×2 000 callbacks alternating with and without them).

Dropped concurrently (the callback keeps inserting); `IF EXISTS`, so a database built otherwise is fine.
Django's own later field changes drop these by name with `IF EXISTS` too. PostgreSQL only: other
databases never had them."""

from django.db import migrations

INDEXES = {
    "hotline_messages_message_conversation_id_2ffe8c0a_like": "hotline_messages_message (conversation_id",
    "hotline_messages_message_from_account_8c32d9ea_like": "hotline_messages_message (from_account",
    "hotline_messages_message_id_e5c485f6_like": "hotline_messages_message (id",
    "hotline_messages_message_msg_key_18663847_like": "hotline_messages_message (msg_key",
    "hotline_messages_callbackdelivery_digest_ab73c4cf_like": "hotline_messages_callbackdelivery (digest",
}


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, target in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("hotline_messages", "0009_perf_transcript_count")]

    operations = [migrations.RunPython(drop, create)]

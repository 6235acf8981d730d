"""Performance (issue 13): a transcript's order in one index, the page found in the index alone.

`msg_perf_transcript` replaces the (conversation, msg_time, msg_seq) index: the full order of a transcript
(msg_time, msg_seq, created_at, id) over messages that are not recall placeholders, with the two account
columns included on PostgreSQL for the participant filter (SQLite, for `make run`, has no INCLUDE).

The participant filter (from and to among the conversation's two identifiers) is met by every message of
the conversation, but PostgreSQL multiplies the three columns' selectivities and expects one row, then
sorts a bitmap scan of the whole conversation instead of walking the index. Statistics over the three
columns together give it the actual count."""

from django.db import migrations

INDEX = "msg_perf_transcript"
STATISTICS = "msg_perf_pair_stats"
KEY = "conversation_id, msg_time, msg_seq, created_at, id"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON hotline_messages_message ({KEY}) "
            "INCLUDE (from_account, to_account) WHERE NOT placeholder"
        )
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (mcv, dependencies) "
            "ON conversation_id, from_account, to_account FROM hotline_messages_message"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON hotline_messages_message ({KEY}) WHERE NOT placeholder"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    if vendor in ("postgresql", "sqlite"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("hotline_messages", "0006_message_msg_time_index")]

    operations = [
        migrations.RemoveIndex(model_name="message", name="hotline_mes_convers_69f797_idx"),
        migrations.RunPython(create, drop),
    ]

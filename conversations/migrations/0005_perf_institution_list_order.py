"""Performance (issue 13): consultlist's default order within one institution, for institution
administrators (whose scope is exactly `institution_id`, `users.scoping.CONVERSATION`). The id is in the
index, so picking a page's keys and the capped count are index-only walks instead of visiting up to
10 000 table rows. Per database as in 0002 (SQLite refuses NULLS LAST in an index)."""

from django.db import migrations

INDEX = "conv_perf_inst_list_order"
COLUMNS = {
    "postgresql": "institution_id, start_time DESC NULLS LAST, created_at DESC, id",
    "sqlite": "institution_id, start_time DESC, created_at DESC, id",
}


def create(apps, schema_editor):
    columns = COLUMNS.get(schema_editor.connection.vendor)
    if columns:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON conversations_conversation ({columns}) "
            "WHERE deleted_at IS NULL"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0004_admin_labels")]

    operations = [migrations.RunPython(create, drop)]

"""Performance (issue 13): consultlist's default order (startTime desc, nulls last, then createTime desc,
id) over conversations not deleted, walked to the page by key. Written per database because SQLite (for
`make run`) refuses NULLS LAST in an index; there NULLs sort first, so DESC already puts them last."""

from django.db import migrations

INDEX = "conv_perf_list_order"
COLUMNS = {
    "postgresql": "start_time DESC NULLS LAST, created_at DESC, id",
    "sqlite": "start_time DESC, created_at DESC, id",
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
    dependencies = [("conversations", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]

"""Performance (issue 13): a GIN index over the characters of users' names, for consultlist's
`visitorName`/`counselorName` filters. Chinese names are searched with 1-2 characters, which pg_trgm's
trigrams cannot serve; an index over each name's characters (`string_to_array(name, NULL)`) can, for any
length. PostgreSQL only: elsewhere (SQLite for `make run`) the filter scans names."""

from django.db import migrations

INDEX = "users_user_perf_name_chars"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON users_user USING gin (string_to_array(name, NULL))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("users", "0010_encrypt_at_rest")]

    operations = [migrations.RunPython(create, drop)]

from django.db import migrations


def create_consent(apps, schema_editor):
    from users.consent import default_information

    ConsentDocument = apps.get_model("users", "ConsentDocument")
    if not ConsentDocument.objects.exists():
        ConsentDocument.objects.create(information=default_information())


class Migration(migrations.Migration):
    dependencies = [("users", "0001_initial")]

    operations = [migrations.RunPython(create_consent, migrations.RunPython.noop)]

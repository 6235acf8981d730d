# Encrypt sensitive fields at rest (issue 12, hotline/crypto.py): the columns become text, existing
# rows are encrypted in batches (and the lookup hashes filled); reversible while the keys are configured.

import hotline.crypto
from hotline.crypto import decrypt_table, reencrypt_table
from django.db import migrations


TABLES = [
    ("consultant_archive", "id", ["doctor_evaluation", "follow_up_plan"]),
    ("consultant_interviewrecord", "id", ["description", "doctor_evaluation", "follow_up_plan", "next_visit_plan"]),
    ("consultant_intakeprofile", "order_id", ["data"]),
]


def encrypt_rows(apps, schema_editor):
    for table, pk, columns in TABLES:
        reencrypt_table(schema_editor.connection, table, columns, pk=pk, plaintext_ok=True)


def decrypt_rows(apps, schema_editor):
    for table, pk, columns in TABLES:
        decrypt_table(schema_editor.connection, table, columns, pk=pk)

class Migration(migrations.Migration):

    dependencies = [
        ('consultant', '0003_verificationcode_ip'),
    ]

    operations = [
        migrations.AlterField(
            model_name='archive',
            name='doctor_evaluation',
            field=hotline.crypto.EncryptedTextField(blank=True, default=''),
        ),
        migrations.AlterField(
            model_name='archive',
            name='follow_up_plan',
            field=hotline.crypto.EncryptedTextField(blank=True, default=''),
        ),
        migrations.AlterField(
            model_name='intakeprofile',
            name='data',
            field=hotline.crypto.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name='interviewrecord',
            name='description',
            field=hotline.crypto.EncryptedTextField(blank=True, default=''),
        ),
        migrations.AlterField(
            model_name='interviewrecord',
            name='doctor_evaluation',
            field=hotline.crypto.EncryptedTextField(blank=True, default=''),
        ),
        migrations.AlterField(
            model_name='interviewrecord',
            name='follow_up_plan',
            field=hotline.crypto.EncryptedTextField(blank=True, default=''),
        ),
        migrations.AlterField(
            model_name='interviewrecord',
            name='next_visit_plan',
            field=hotline.crypto.EncryptedTextField(blank=True, default=''),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]

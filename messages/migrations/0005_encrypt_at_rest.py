# Encrypt sensitive fields at rest (issue 12, hotline/crypto.py): the columns become text, existing
# rows are encrypted in batches (and the lookup hashes filled); reversible while the keys are configured.

import hotline.crypto
from hotline.crypto import decrypt_table, reencrypt_table
from django.db import migrations


TABLE = "hotline_messages_message"
COLUMNS = ["msg_body", "raw"]


def encrypt_rows(apps, schema_editor):
    reencrypt_table(schema_editor.connection, TABLE, COLUMNS, plaintext_ok=True)


def decrypt_rows(apps, schema_editor):
    decrypt_table(schema_editor.connection, TABLE, COLUMNS)

class Migration(migrations.Migration):

    dependencies = [
        ('hotline_messages', '0004_chatfile_download_rights'),
    ]

    operations = [
        migrations.AlterField(
            model_name='message',
            name='msg_body',
            field=hotline.crypto.EncryptedJSONField(default=list),
        ),
        migrations.AlterField(
            model_name='message',
            name='raw',
            field=hotline.crypto.EncryptedJSONField(default=dict, help_text='the whole callback body as received'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]

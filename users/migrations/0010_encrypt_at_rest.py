# Encrypt sensitive fields at rest (issue 12, hotline/crypto.py): the columns become text, existing
# rows are encrypted in batches (and the lookup hashes filled); reversible while the keys are configured.

import hotline.crypto
from hotline.crypto import decrypt_table, reencrypt_table
from django.db import migrations, models


TABLE = "users_user"
COLUMNS = ["phone_number", "id_number", "emergency_contact", "emergency_phone", "wx_session_key"]
HASHES = [("phone_hash", "phone_number"), ("id_number_hash", "id_number")]


def encrypt_rows(apps, schema_editor):
    reencrypt_table(schema_editor.connection, TABLE, COLUMNS, hashes=HASHES, plaintext_ok=True, rehash=True)


def decrypt_rows(apps, schema_editor):
    decrypt_table(schema_editor.connection, TABLE, COLUMNS, hashes=HASHES)

class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('users', '0009_audit_extended'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='user',
            name='one_staff_per_phone',
        ),
        migrations.AddField(
            model_name='user',
            name='id_number_hash',
            field=hotline.crypto.HashField(db_index=True, source='id_number'),
        ),
        migrations.AddField(
            model_name='user',
            name='phone_hash',
            field=hotline.crypto.HashField(db_index=True, source='phone_number'),
        ),
        migrations.AlterField(
            model_name='user',
            name='emergency_contact',
            field=hotline.crypto.EncryptedCharField(blank=True, default='', max_length=64, verbose_name='紧急联系人'),
        ),
        migrations.AlterField(
            model_name='user',
            name='emergency_phone',
            field=hotline.crypto.EncryptedCharField(blank=True, default='', max_length=20, verbose_name='紧急联系人电话'),
        ),
        migrations.AlterField(
            model_name='user',
            name='id_number',
            field=hotline.crypto.EncryptedCharField(blank=True, default='', max_length=18, verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='user',
            name='phone_number',
            field=hotline.crypto.EncryptedCharField(blank=True, default='', max_length=20, verbose_name='手机号'),
        ),
        migrations.AlterField(
            model_name='user',
            name='wx_session_key',
            field=hotline.crypto.EncryptedCharField(blank=True, default='', max_length=64),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(models.F('phone_hash'), condition=models.Q(('deactivated_at__isnull', True), ('deleted_at__isnull', True), ('type__in', ['COUNSELOR', 'SUPERVISOR']), models.Q(('phone_hash', ''), _negated=True)), name='one_staff_per_phone_hash'),
        ),
    ]

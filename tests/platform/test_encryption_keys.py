"""Encryption keys: rotation (`rotate_encryption_keys`), the hash key, the data migrations (issue 12)."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consultant.models import Archive, IntakeProfile, InterviewRecord
from hotline.crypto import DecryptionFailed, blind_index
from messages.models import Message
from tests.encryption import assert_ciphertext, stored
from tests.helpers import make_user, result_of
from users.models import User, UserType

VISITOR_ID = "310101199001011234"
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()

# ---- rotation ----------------------------------------------------------------------------------------------


def _visitor_with_contacts(ecnu):
    visitor = make_user(UserType.VISITOR, inst=ecnu, username="rotating")
    visitor.phone_number = "13700001111"
    visitor.id_number = VISITOR_ID
    visitor.emergency_contact = "李母"
    visitor.save()
    return visitor


def _me(as_user, user):
    me = result_of(as_user(User.objects.get(pk=user.pk)).get("/auth/me"))
    return me["phoneNumber"], me["idNumber"], me["emergencyContact"]


@pytest.mark.django_db
def test_keys_rotate_old_data_stays_readable_until_rewritten(as_user, ecnu, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    visitor = _visitor_with_contacts(ecnu)
    expected = ("13700001111", VISITOR_ID, "李母")
    written_with_a = stored(User, visitor.pk, "phone_number")["phone_number"]

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]  # a new key first, the old one kept for reading
    assert _me(as_user, visitor) == expected
    out = io.StringIO()
    call_command("rotate_encryption_keys", "--batch-size", "1", stdout=out)
    assert "done:" in out.getvalue() and "users.User" in out.getvalue()
    rewritten = stored(User, visitor.pk, "phone_number")["phone_number"]
    assert rewritten != written_with_a and Fernet(KEY_B).decrypt(rewritten.encode()) == b"13700001111"

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # the old key gone
    assert _me(as_user, visitor) == expected
    # Lookups do not depend on the encryption keys: the hash key never rotated with them.
    assert User.objects.filter(phone_hash=blind_index("13700001111")).get().pk == visitor.pk
    again = io.StringIO()
    call_command("rotate_encryption_keys", stdout=again)
    assert " 0 values re-encrypted" in again.getvalue()  # already under the first key: nothing rewritten

    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]  # a key that never wrote these rows
    with pytest.raises(DecryptionFailed):
        User.objects.get(pk=visitor.pk)
    with pytest.raises(CommandError, match="FIELD_ENCRYPTION_KEYS"):
        call_command("rotate_encryption_keys", stdout=io.StringIO())


@pytest.mark.django_db
def test_rehash_recomputes_the_lookup_hashes_after_the_hash_key_changes(ecnu, settings):
    visitor = _visitor_with_contacts(ecnu)
    settings.FIELD_HASH_KEY = "another-field-hash-key-0123456789abcdef"
    assert not User.objects.filter(phone_hash=blind_index("13700001111")).exists()
    call_command("rotate_encryption_keys", "--rehash", stdout=io.StringIO())
    assert User.objects.get(phone_hash=blind_index("13700001111")).pk == visitor.pk
    assert User.objects.get(id_number_hash=blind_index(VISITOR_ID)).pk == visitor.pk


# ---- the data migrations ------------------------------------------------------------------------------------

BEFORE = [
    ("users", "0009_audit_extended"),
    ("hotline_messages", "0004_chatfile_download_rights"),
    ("consultant", "0003_verificationcode_ip"),
]
AFTER = [
    ("users", "0010_encrypt_at_rest"),
    ("hotline_messages", "0005_encrypt_at_rest"),
    ("consultant", "0004_encrypt_at_rest"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _plaintext_rows(old):
    """Rows written before encryption, through the models as they were then."""
    institution = old.get_model("users", "Institution").objects.create(code="old", name="旧机构")
    user = old.get_model("users", "User").objects.create(
        id="a" * 32,
        username="old_visitor",
        type="VISITOR",
        institution=institution,
        phone_number="13600001111",
        id_number=VISITOR_ID,
        emergency_contact="王母",
        emergency_phone="13600002222",
        wx_session_key="c2Vzc2lvbmtleQ==",
        password="!",
    )
    old.get_model("hotline_messages", "Message").objects.create(
        id="b" * 32,
        msg_key="old-1",
        msg_body=[{"MsgType": "TIMTextElem", "MsgContent": {"Text": "旧消息"}}],
        raw={"MsgKey": "old-1", "Text": "旧消息"},
    )
    order = old.get_model("consultant", "Order").objects.create(
        consultant_id=user.id,
        order_id="OLD1",
        name="张三",
        age=20,
        gender="男",
        type="在线咨询",
        date="2026-01-01",
        time="09:00",
        contact="c",
    )
    old.get_model("consultant", "IntakeProfile").objects.create(order=order, data={"complaint": "失眠"})
    archive = old.get_model("consultant", "Archive").objects.create(
        consultant_id=user.id, std_name="张三", doctor_evaluation="旧评估"
    )
    old.get_model("consultant", "InterviewRecord").objects.create(
        archive=archive, count=1, description="旧记录", next_visit_plan=""
    )
    return user.id, order.pk, archive.pk


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_existing_rows_and_reverse_to_plaintext():
    try:
        user_id, order_id, archive_id = _plaintext_rows(_migrate(BEFORE))
        _migrate(AFTER)
        row = stored(User, user_id, "phone_number", "id_number", "emergency_contact", "wx_session_key")
        assert_ciphertext(row, "13600001111", VISITOR_ID, "王母", "c2Vzc2lvbmtleQ==")
        assert stored(User, user_id, "phone_hash", "id_number_hash") == {
            "phone_hash": blind_index("13600001111"),
            "id_number_hash": blind_index(VISITOR_ID),
        }
        assert_ciphertext(stored(Message, "b" * 32, "msg_body", "raw"), "旧消息")
        assert_ciphertext(stored(IntakeProfile, order_id, "data"), "失眠")
        assert_ciphertext(stored(Archive, archive_id, "doctor_evaluation"), "旧评估")
        record = InterviewRecord.objects.get(archive_id=archive_id)
        assert_ciphertext(stored(InterviewRecord, record.pk, "description"), "旧记录")
        assert stored(InterviewRecord, record.pk, "next_visit_plan") == {"next_visit_plan": ""}
        # The application reads them as before.
        user = User.objects.get(phone_hash=blind_index("13600001111"))
        assert (user.id_number, user.emergency_phone, user.wx_session_key) == (
            VISITOR_ID,
            "13600002222",
            "c2Vzc2lvbmtleQ==",
        )
        assert Message.objects.get(pk="b" * 32).msg_body[0]["MsgContent"]["Text"] == "旧消息"
        assert IntakeProfile.objects.get(pk=order_id).data == {"complaint": "失眠"}
        assert record.description == "旧记录"

        _migrate(BEFORE)  # reversible: back to plaintext columns
        assert stored(User, user_id, "phone_number", "emergency_contact") == {
            "phone_number": "13600001111",
            "emergency_contact": "王母",
        }
        with connection.cursor() as cursor:
            cursor.execute("SELECT msg_body->0->'MsgContent'->>'Text' FROM hotline_messages_message")
            assert cursor.fetchone() == ("旧消息",)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

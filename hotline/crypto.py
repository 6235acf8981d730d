"""Sensitive fields encrypted at rest (issue 12), and keyed hashes for exact-match lookups on them.

Keys come from settings, which read them from the environment:
- `FIELD_ENCRYPTION_KEYS`: Fernet keys, the first encrypts, every one decrypts (cryptography's
  MultiFernet). Rotation: put a new key first, keep the old ones, run `manage.py rotate_encryption_keys`,
  then drop the old ones.
- `FIELD_HASH_KEY`: the HMAC-SHA256 key of the hash columns (`phone_hash`, `id_number_hash`). It does not
  rotate with the encryption keys: changing it means recomputing every hash from the decrypted values
  (`rotate_encryption_keys --rehash`).

Rules the fields keep:
- "" is stored as "" (not encrypted), so "is it set" stays a plain comparison; any other text is a Fernet
  token (AES-128-CBC + HMAC-SHA256, random IV: equal values give different tokens).
- An encrypted column cannot be compared or searched in SQL: any lookup other than `= ""` and
  `IS NULL` raises FieldError instead of silently matching nothing. Exact matches go through the
  hash column: `filter(phone_hash=blind_index(phone))`.
- Reads decrypt in `from_db_value`, one token per non-empty value loaded: load only the columns a
  response needs (`only()` / `defer()`).
"""

import base64
import binascii
import functools
import hashlib
import hmac
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models, transaction
from django.db.models.lookups import Exact, IsNull

FERNET_VERSION = 0x80
FERNET_MIN_BYTES = 1 + 8 + 16 + 16 + 32  # version, timestamp, IV, one AES block, HMAC


class DecryptionFailed(Exception):
    """A stored token that none of the configured keys opens (a key is missing from FIELD_ENCRYPTION_KEYS)."""


@functools.lru_cache(maxsize=8)
def _fernets(keys):
    return MultiFernet([Fernet(key) for key in keys]), Fernet(keys[0])


def _keys():
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def encrypt_str(value):
    """A Fernet token of `value` under the first key; "" stays ""."""
    if value == "":
        return ""
    multi, _ = _fernets(_keys())
    return multi.encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_str(token):
    if token == "":
        return ""
    multi, _ = _fernets(_keys())
    try:
        return multi.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise _missing_key() from None


def encrypt_json(value):
    return encrypt_str(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def decrypt_json(token):
    return json.loads(decrypt_str(token))


def blind_index(value):
    """The keyed hash stored beside an encrypted value for exact-match lookups; "" for an empty value."""
    if not value:
        return ""
    key = settings.FIELD_HASH_KEY.encode("utf-8")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def looks_like_token(text):
    """Whether `text` has a Fernet token's shape (so it is ciphertext, never a plaintext to encrypt)."""
    if not text.startswith("gAAAAA"):
        return False
    try:
        data = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return len(data) >= FERNET_MIN_BYTES and data[0] == FERNET_VERSION and (len(data) - 57) % 16 == 0


# ---- model fields ----------------------------------------------------------------------------------


class _EmptyOnlyExact(Exact):
    def get_prep_lookup(self):
        if self.rhs != "":
            raise FieldError(
                'an encrypted column can only be compared with ""; look values up through its hash column'
            )
        return super().get_prep_lookup()


class EncryptedMixin:
    """Stores text as a Fernet token in a `text` column (see the module docstring)."""

    def get_internal_type(self):
        return "TextField"

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def get_transform(self, lookup_name):
        return None

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt_str(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt_str(str(value))


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A CharField (max_length still validates the plaintext) stored encrypted in a text column."""


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedJSONField(EncryptedMixin, models.TextField):
    """A JSON value (list or dict) stored as one encrypted JSON text; never queried in SQL."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt_json(value)

    def get_prep_value(self, value):
        return value if value is None else encrypt_json(value)

    def to_python(self, value):
        return value

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def formfield(self, **kwargs):
        return models.Field.formfield(self, **{"form_class": forms.JSONField, **kwargs})


class HashField(models.CharField):
    """HMAC-SHA256 of another field's plaintext (`source`), computed on every save: equal values, equal
    hashes, so exact matches and unique constraints work on it. Compare it with `blind_index(value)`."""

    def __init__(self, *args, source, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("blank", True), ("default", ""), ("editable", False)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = blind_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def with_hash_fields(model, update_fields):
    """`update_fields` plus the hash fields whose source is among them (a model's `save()` calls this, so
    saving only `phone_number` keeps `phone_hash` true)."""
    if update_fields is None:
        return None
    names = set(update_fields)
    for field in model._meta.concrete_fields:
        if isinstance(field, HashField) and field.source in names:
            names.add(field.name)
    return names


def hash_values(model, values):
    """`QuerySet.update()` keyword arguments plus the hash columns of the plaintext values among them."""
    extra = {}
    for field in model._meta.concrete_fields:
        if isinstance(field, HashField) and field.source in values:
            extra[field.name] = blind_index(values[field.source] or "")
    return {**values, **extra}


# ---- bulk re-encryption (the data migrations and `rotate_encryption_keys`) ------------------------


class Counts:
    """What a bulk run did: rows read, rows written, values re-encrypted."""

    def __init__(self):
        self.rows = 0
        self.changed = 0
        self.values = 0


def _each_batch(connection, table, selected, pk, batch_size, handle):
    """Call `handle(cursor, rows)` for the rows of `table` in `pk` order, one batch per transaction
    (keyset paging: a run can be stopped and started again)."""
    quote = connection.ops.quote_name
    head = f"SELECT {', '.join(quote(name) for name in selected)} FROM {quote(table)}"
    tail = f"ORDER BY {quote(pk)} LIMIT {int(batch_size)}"
    last = None
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if last is None:
                cursor.execute(f"{head} {tail}")
            else:
                cursor.execute(f"{head} WHERE {quote(pk)} > %s {tail}", [last])
            rows = cursor.fetchall()
            if not rows:
                return
            handle(cursor, rows)
            last = rows[-1][0]


def _update(connection, cursor, table, pk, key, values):
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in values)
    cursor.execute(f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s", [*values.values(), key])


def _missing_key():
    return DecryptionFailed("a stored value does not decrypt with any key of FIELD_ENCRYPTION_KEYS")


def _reencrypt(text, *, current, multi, plaintext_ok):
    """(plaintext, new stored text or None when it is already under the first key)."""
    if text == "":
        return "", None
    try:
        return current.decrypt(text.encode("utf-8")).decode("utf-8"), None
    except InvalidToken:
        pass
    try:
        plain = multi.decrypt(text.encode("utf-8")).decode("utf-8")
    except InvalidToken:
        if not plaintext_ok or looks_like_token(text):
            raise _missing_key() from None
        plain = text
    return plain, multi.encrypt(plain.encode("utf-8")).decode("ascii")


def reencrypt_table(
    connection,
    table,
    columns,
    *,
    pk="id",
    hashes=(),
    plaintext_ok=False,
    rehash=False,
    batch_size=500,
    progress=None,
):
    """Bring every value of `columns` under the first key of FIELD_ENCRYPTION_KEYS; values already under
    it are left alone.

    `plaintext_ok` (the data migration): a value no key opens and that is not shaped like a token is
    plaintext, and gets encrypted. Otherwise such a value stops the run: a key is missing.
    `hashes`: (hash column, source column) pairs, recomputed from the plaintext of the rows written (of
    every row with `rehash`, after FIELD_HASH_KEY changed). Answers Counts; `progress(counts)` is called
    after each batch.
    """
    multi, current = _fernets(_keys())
    counts = Counts()

    def handle(cursor, rows):
        for key, *stored in rows:
            plain, new = {}, {}
            for column, text in zip(columns, stored, strict=True):
                plain[column], changed = _reencrypt(
                    text or "", current=current, multi=multi, plaintext_ok=plaintext_ok
                )
                if changed is not None:
                    new[column] = changed
                    counts.values += 1
            if new or rehash:
                new.update({column: blind_index(plain[source]) for column, source in hashes})
            if new:
                _update(connection, cursor, table, pk, key, new)
                counts.changed += 1
        counts.rows += len(rows)
        if progress:
            progress(counts)

    _each_batch(connection, table, [pk, *columns], pk, batch_size, handle)
    return counts


def decrypt_table(connection, table, columns, *, pk="id", hashes=(), batch_size=500):
    """The reverse of the data migration: every value back to plaintext, the hash columns emptied."""
    multi, _ = _fernets(_keys())

    def handle(cursor, rows):
        for key, *stored in rows:
            new = {column: "" for column, _source in hashes}
            for column, text in zip(columns, stored, strict=True):
                if text and looks_like_token(text):
                    try:
                        new[column] = multi.decrypt(text.encode("ascii")).decode("utf-8")
                    except InvalidToken:
                        raise _missing_key() from None
            if new:
                _update(connection, cursor, table, pk, key, new)

    _each_batch(connection, table, [pk, *columns], pk, batch_size, handle)

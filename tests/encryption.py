"""Reading columns as the database holds them, for the encryption-at-rest tests (hotline/crypto.py)."""

from django.db import connection

from hotline.crypto import looks_like_token


def stored(model, pk, *columns):
    """The columns of one row as the database holds them (a raw cursor: no field decrypts them)."""
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {pk_column} = %s", [pk])
        return dict(zip(columns, cursor.fetchone(), strict=True))


def assert_ciphertext(values, *plaintexts):
    for column, value in values.items():
        assert looks_like_token(value), f"{column} is not a Fernet token: {value!r}"
        for plain in plaintexts:
            assert plain not in value

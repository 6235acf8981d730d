"""Settings for the test suite: the real settings with test-friendly environment defaults."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("FAST_PASSWORD_HASHING", "1")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="hotline-test-media-"))
os.environ.setdefault("SMS_BACKEND", "file")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # the test client speaks plain HTTP
os.environ.setdefault("API_DOCS", "1")
os.environ.setdefault("TIM_CALLBACK_TOKEN", "test-callback-token")
# Test-only keys (never used outside the test suite); tests that rotate keys override the settings.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI=")
os.environ.setdefault("FIELD_HASH_KEY", "test-only-field-hash-key-0123456789abcdef")
os.environ.setdefault("SMS_FILE_PATH", os.path.join(tempfile.gettempdir(), "hotline-test-sms.jsonl"))

from .settings import *  # noqa: E402,F403

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" and not os.environ.get(  # noqa: F405
    "ALLOW_SQLITE_TESTS"
):
    raise RuntimeError("The test suite runs on PostgreSQL: use `make test` or set DATABASE_URL")

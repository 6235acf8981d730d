"""Settings for the hotline backend, read from the environment (see README and .env.example)."""

import base64
import hashlib
import hmac
import os
import warnings
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from hotline.limits import REQUEST_MEMORY_MAX_BYTES

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_decimal(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return Decimal(default)
    try:
        result = Decimal(value)
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from exc
    if result <= 0:
        raise ImproperlyConfigured(f"{name} must be positive, got {value!r}")
    return result


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set (or DEBUG=1 for local development)")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "users.adminconfig.HotlineAdminConfig",  # django.contrib.admin with the audited site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "procrastinate.contrib.django",
    "drf_spectacular_sidecar",
    "users",
    "scheduling",
    "conversations",
    "evaluations",
    "messages.apps.MessagesConfig",
    "consultant",
    "quickreplies",
    "hotline.demo",
    "hotline.dashboard",
    "hotline.retention",
]

MIDDLEWARE = [
    "hotline.api.middleware.RequestIdMiddleware",
    "hotline.api.request_log.RequestLogMiddleware",
    "hotline.api.middleware.BodySizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hotline.api.middleware.JsonErrorMiddleware",
]

ROOT_URLCONF = "hotline.urls"
WSGI_APPLICATION = "hotline.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Performance (issue 13): PostgreSQL's JIT compiled the planner's pessimistic estimates of the
    # role-scoped lists for 1-4 s per query while the queries themselves take milliseconds.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (hotline/jobs.py, README "Background jobs"): the queue lives in PostgreSQL; on the
# embedded SQLite default jobs run inline after commit and the worker runs the periodic tasks only.
JOBS_QUEUED = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if not JOBS_QUEUED:
    MIGRATION_MODULES = {"procrastinate": None}  # its schema is PostgreSQL's (functions, triggers)
PROCRASTINATE_ON_APP_READY = "hotline.jobs.on_app_ready"
JOB_MAX_RETRIES = env_int("JOB_MAX_RETRIES", 8)
JOB_RETRY_BASE_SECONDS = env_int("JOB_RETRY_BASE_SECONDS", 3)
CONVERSATION_EXPIRE_CRON = env_str("CONVERSATION_EXPIRE_CRON", "* * * * *")
# Care of the people served (CONTRACT §10): open crisis alerts are escalated after this many minutes.
CRISIS_ESCALATE_MINUTES = env_str("CRISIS_ESCALATE_MINUTES", "5")
CRISIS_ESCALATE_CRON = env_str("CRISIS_ESCALATE_CRON", "* * * * *")
JOB_KEEP_DAYS = env_int("JOB_KEEP_DAYS", 7)
JOB_PRUNE_CRON = env_str("JOB_PRUNE_CRON", "17 3 * * *")
# The retention run (hotline/retention/tasks.py) and stale presence (scheduling/tasks.py).
RETENTION_PURGE_CRON = env_str("RETENTION_PURGE_CRON", "43 2 * * *")
PRESENCE_STALE_CRON = env_str("PRESENCE_STALE_CRON", "*/10 * * * *")

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = ["users.backends.PlainPasswordBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
if env_bool("FAST_PASSWORD_HASHING", False):
    # Tests only: Argon2id with small cost parameters, so hundreds of logins stay quick.
    PASSWORD_HASHERS = ["users.hashers.FastArgon2PasswordHasher"]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# How long a signed chat-file link (`/file/download?fileName&expires&signature`) works (CONTRACT §11).
FILE_LINK_MINUTES = env_int("FILE_LINK_MINUTES", 60)
if FILE_LINK_MINUTES < 1:
    raise ImproperlyConfigured("FILE_LINK_MINUTES must be at least 1")

DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MEMORY_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MEMORY_MAX_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["hotline.api.authentication.BearerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["hotline.api.renderers.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "hotline.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "hotline.api.exceptions.envelope_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "CHECK_USER_IS_ACTIVE": True,
    # Tokens carry a hash of the password hash: a password change or reset ends every session at once.
    "CHECK_REVOKE_TOKEN": True,
}

# The interactive docs and schema: on in development, off in production unless asked for.
API_DOCS = env_bool("API_DOCS", DEBUG)
SPECTACULAR_SETTINGS = {
    "TITLE": "心院热线平台 API",
    "DESCRIPTION": "Hotline API (envelope code/message/result) and counsellor workspace API "
    "(envelope code/message/data). Every path also answers with a trailing slash.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from drf-spectacular-sidecar (pinned in the lock files), served as static
    # files by the project: no CDN, so the docs work on an intranet or where a CDN is blocked.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator badge: Swagger UI would fetch it from its authors' server.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["hotline.api.schema.drop_trailing_slash_twins"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hotline.api.schema.declare_body_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "UserTypeEnum": "users.models.UserType.choices",
        "DutyTypeEnum": "scheduling.models.DutyType.choices",
        "ConversationStatusEnum": "conversations.constants.ConversationStatus.choices",
        "ConversationTypeEnum": "conversations.constants.ConversationType.choices",
        "OrderTypeEnum": "consultant.models.OrderType.choices",
        "OrderStatusEnum": "consultant.models.OrderStatus.choices",
    },
}

# Domain settings (CONTRACT §3, §5, §8).
DEFAULT_INSTITUTION = env_str("DEFAULT_INSTITUTION", "default")
WECHAT_API_BASE = env_str("WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/")
WECHAT_APPS = env_str("WECHAT_APPS")
WECHAT_TIMEOUT_SECONDS = float(env_str("WECHAT_TIMEOUT_SECONDS", "5"))
TIM_SDKAPPID = env_str("TIM_SDKAPPID")
TIM_SECRET_KEY = env_str("TIM_SECRET_KEY")
TIM_ADMIN_IDENTIFIER = env_str("TIM_ADMIN_IDENTIFIER", "administrator")
TIM_API_BASE = env_str("TIM_API_BASE", "https://console.tim.qq.com").rstrip("/")
TIM_CALLBACK_TOKEN = env_str("TIM_CALLBACK_TOKEN")
if not TIM_CALLBACK_TOKEN and not DEBUG:
    # Unsigned callbacks are checked by SdkAppid alone, which ships inside the mini-program (CONTRACT §11).
    raise ImproperlyConfigured("TIM_CALLBACK_TOKEN must be set (IM callbacks must be signed) unless DEBUG=1")
TIM_TIMEOUT_SECONDS = float(env_decimal("TIM_TIMEOUT_SECONDS", "3"))

# Sensitive fields encrypted at rest (issue 12, hotline/crypto.py). FIELD_ENCRYPTION_KEYS: Fernet keys,
# comma separated, the first encrypts and all decrypt (rotation). FIELD_HASH_KEY: the HMAC key of the
# phone / ID-number lookup hashes; it never rotates with the encryption keys. With DEBUG only, both are
# derived from SECRET_KEY when unset (data written so is readable only with that SECRET_KEY).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
FIELD_HASH_KEY = env_str("FIELD_HASH_KEY")
for _name, _missing in (
    ("FIELD_ENCRYPTION_KEYS", not FIELD_ENCRYPTION_KEYS),
    ("FIELD_HASH_KEY", not FIELD_HASH_KEY),
):
    if _missing and not DEBUG:
        raise ImproperlyConfigured(
            f"{_name} must be set (sensitive fields are encrypted at rest; see README) unless DEBUG=1"
        )
    if _missing:
        warnings.warn(f"{_name} is empty: derived from SECRET_KEY (development only)", stacklevel=1)
if not FIELD_ENCRYPTION_KEYS:
    _derived = hmac.new(SECRET_KEY.encode(), b"hotline field encryption key", hashlib.sha256).digest()
    FIELD_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(_derived).decode()]
if not FIELD_HASH_KEY:
    FIELD_HASH_KEY = hmac.new(SECRET_KEY.encode(), b"hotline field hash key", hashlib.sha256).hexdigest()
for _position, _key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: key {_position} is not a Fernet key (32 url-safe base64-encoded bytes)"
        ) from None
if len(FIELD_HASH_KEY) < 32:
    raise ImproperlyConfigured("FIELD_HASH_KEY must be at least 32 characters")

# Clients renew through /im/sign; a short life bounds how long a leaked or revoked UserSig works (CONTRACT §11).
USERSIG_EXPIRE_SECONDS = env_int("USERSIG_EXPIRE_SECONDS", 86400)
if not 60 <= USERSIG_EXPIRE_SECONDS <= 7 * 86400:
    raise ImproperlyConfigured(
        f"USERSIG_EXPIRE_SECONDS must be between 60 and {7 * 86400} (7 days), got {USERSIG_EXPIRE_SECONDS}"
    )
CONVERSATION_TIMEOUT_MINUTES = env_decimal("CONVERSATION_TIMEOUT_MINUTES", "60")
DEFAULT_MAX_CONSULTS = env_int("DEFAULT_MAX_CONSULTS", 5)
# Performance (issue 13): /conversation/consultlist counts at most this many rows for `count`
# (0: always the exact count); `next` stays exact. See docs/decisions.md.
LIST_COUNT_CAP = env_int("LIST_COUNT_CAP", 10000)
# PUT /conversation requires the current consent version to be accepted (CONTRACT §10); operators can also
# turn it on per institution in the admin.
CONSENT_REQUIRED = env_bool("CONSENT_REQUIRED", False)
LOGIN_MAX_FAILURES_PER_USER = env_int("LOGIN_MAX_FAILURES_PER_USER", 5)
LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 50)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)

# Retention (issue 12): `purge_expired` anonymises visitors and deletes transcripts older than
# RETENTION_DAYS (0 = never), and deletes audit rows older than AUDIT_RETENTION_DAYS. The audit log keeps
# at least 183 days (about six months): the database trigger refuses to delete younger rows.
RETENTION_DAYS = env_int("RETENTION_DAYS", 0)
if RETENTION_DAYS < 0:
    raise ImproperlyConfigured(f"RETENTION_DAYS must be 0 (never) or a number of days, got {RETENTION_DAYS}")
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
if AUDIT_RETENTION_DAYS < 183:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS must be at least 183 (six months), got {AUDIT_RETENTION_DAYS}"
    )
CODE_SENDS_PER_IP_PER_HOUR = env_int("CODE_SENDS_PER_IP_PER_HOUR", 30)
# How many reverse proxies of our own stand in front (0: none, X-Forwarded-For is ignored).
TRUST_X_FORWARDED_FOR = env_int("TRUST_X_FORWARDED_FOR", 0)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent_emails"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Django waits for an SMTP server forever by default; a hanging one would hold the worker.
EMAIL_TIMEOUT = float(env_decimal("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hotline@localhost")
SMS_BACKEND = env_str("SMS_BACKEND", "console")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(BASE_DIR / "sent_sms.jsonl"))
TENCENT_SMS_SECRET_ID = env_str("TENCENT_SMS_SECRET_ID")
TENCENT_SMS_SECRET_KEY = env_str("TENCENT_SMS_SECRET_KEY")
TENCENT_SMS_SDK_APP_ID = env_str("TENCENT_SMS_SDK_APP_ID")
TENCENT_SMS_SIGN_NAME = env_str("TENCENT_SMS_SIGN_NAME")
TENCENT_SMS_TEMPLATE_ID = env_str("TENCENT_SMS_TEMPLATE_ID")
TENCENT_SMS_REGION = env_str("TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_ENDPOINT = env_str("TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com")
SMS_TIMEOUT_SECONDS = float(env_decimal("SMS_TIMEOUT_SECONDS", "5"))
if SMS_BACKEND not in {"console", "file", "tencent"}:
    raise ImproperlyConfigured(f"SMS_BACKEND must be console, file or tencent, got {SMS_BACKEND!r}")
if SMS_BACKEND == "console" and not DEBUG:
    # The console backend prints verification codes into the server log (CONTRACT §11).
    raise ImproperlyConfigured(
        "SMS_BACKEND=console prints codes into the log: choose file or tencent, or DEBUG=1"
    )
if SMS_BACKEND == "tencent":
    for _name in (
        "TENCENT_SMS_SECRET_ID",
        "TENCENT_SMS_SECRET_KEY",
        "TENCENT_SMS_SDK_APP_ID",
        "TENCENT_SMS_SIGN_NAME",
        "TENCENT_SMS_TEMPLATE_ID",
    ):
        if not globals()[_name]:
            raise ImproperlyConfigured(f"{_name} must be set when SMS_BACKEND=tencent")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # TLS ends at the reverse proxy in front (docker-compose.yml); plain HTTP is redirected and browsers
    # told to stay on HTTPS. /health stays reachable over plain HTTP for the orchestrator's probes, and
    # /metrics for a scraper inside the private network (the proxy does not pass /metrics on).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/?$", r"^metrics/?$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Logs and metrics (README, "Metrics and logs"): one line per request (hotline/api/request_log.py) as JSON
# in production, readable text with DEBUG; /metrics only with METRICS_TOKEN (sent as a Bearer token).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
METRICS_TOKEN = env_str("METRICS_TOKEN")
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters (or empty: /metrics off)")
# Optional error reporting; personal data is scrubbed before sending (hotline/api/error_reporting.py).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from hotline.api.error_reporting import init_error_reporting

    init_error_reporting(
        SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        release=env_str("SENTRY_RELEASE"),
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hotline.api.request_id.RequestIdLogFilter"}},
    "formatters": {
        "json": {"()": "hotline.api.logformat.JsonFormatter"},
        "text": {"()": "hotline.api.logformat.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # Task registration is announced at every start of every process: keep jobs' own lines only.
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
        # urllib3 logs every request URL at DEBUG, and provider URLs carry the WeChat app secret and the
        # IM admin UserSig: even LOG_LEVEL=DEBUG must not write them.
        "urllib3": {"level": "INFO"},
    },
}

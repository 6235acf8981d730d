"""Password-login throttling shared by every worker through the database (CONTRACT §3).

An attempt is counted before the password is checked, in one atomic statement per key, so parallel
attempts cannot all slip under the limit (32 at once used to get 20 password checks against a limit of
5). A success gives its attempt back (the username's count is cleared); a failure that reaches the limit
locks the username or address for `LOGIN_LOCK_MINUTES`. Used by the hotline, the workspace and /admin/."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from hotline.api.errors import RateLimited

from .models import LoginAttempt, LoginLock

LOCKED_MESSAGE = "登录失败次数过多，请{minutes}分钟后再试"
_TABLE = LoginAttempt._meta.db_table
# One statement: the row is locked by the upsert, so concurrent attempts are counted one after another.
_COUNT_ATTEMPT = (
    f"INSERT INTO {_TABLE} (key, count, window_start) VALUES (%s, 1, %s) "
    f"ON CONFLICT (key) DO UPDATE SET "
    f"count = CASE WHEN {_TABLE}.window_start < %s THEN 1 ELSE {_TABLE}.count + 1 END, "
    f"window_start = CASE WHEN {_TABLE}.window_start < %s THEN EXCLUDED.window_start "
    f"ELSE {_TABLE}.window_start END "
    f"RETURNING count"
)


def _user_key(username):
    return f"user:{username.lower()}"


def _keys(username, ip):
    return [
        (_user_key(username), settings.LOGIN_MAX_FAILURES_PER_USER),
        (f"ip:{ip}", settings.LOGIN_MAX_FAILURES_PER_IP),
    ]


def _window():
    return timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def _refuse():
    raise RateLimited(LOCKED_MESSAGE.format(minutes=settings.LOGIN_LOCK_MINUTES))


def _lock(key, now):
    until = now + _window()
    try:
        with transaction.atomic():
            LoginLock.objects.update_or_create(key=key, defaults={"locked_until": until})
    except IntegrityError:
        LoginLock.objects.filter(key=key).update(locked_until=until)


def attempt_begin(username, ip):
    """Count this attempt against the username and the address, before any password is checked; a
    locked key, or one whose attempts in the window exceed its limit, is refused (429/-3)."""
    now = timezone.now()
    keys = _keys(username, ip)
    if LoginLock.objects.filter(key__in=[key for key, _ in keys], locked_until__gt=now).exists():
        _refuse()
    window_start = now - _window()
    over = False
    with connection.cursor() as cursor:
        for key, limit in keys:
            cursor.execute(_COUNT_ATTEMPT, [key, now, window_start, window_start])
            if cursor.fetchone()[0] > limit:
                _lock(key, now)
                over = True
    if over:
        _refuse()


def attempt_failed(username, ip):
    """The attempt failed: a key that reached its limit is locked now."""
    now = timezone.now()
    limits = dict(_keys(username, ip))
    for key, count in LoginAttempt.objects.filter(key__in=limits).values_list("key", "count"):
        if count >= limits[key]:
            _lock(key, now)


def attempt_succeeded(username, ip):
    """The attempt succeeded: the username starts afresh and the address gets its attempt back."""
    clear_failures(username)
    LoginAttempt.objects.filter(key=f"ip:{ip}", count__gt=0).update(count=F("count") - 1)


def clear_failures(username):
    LoginAttempt.objects.filter(key=_user_key(username)).delete()

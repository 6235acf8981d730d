"""Password-login throttling shared by every worker through the database (CONTRACT §3)."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.api.errors import RateLimited

from .models import LoginFailure, LoginLock

LOCKED_MESSAGE = "登录失败次数过多，请{minutes}分钟后再试"


def _keys(username, ip):
    return [
        (f"user:{username.lower()}", settings.LOGIN_MAX_FAILURES_PER_USER),
        (f"ip:{ip}", settings.LOGIN_MAX_FAILURES_PER_IP),
    ]


def check_not_locked(username, ip):
    now = timezone.now()
    keys = [key for key, _ in _keys(username, ip)]
    if LoginLock.objects.filter(key__in=keys, locked_until__gt=now).exists():
        raise RateLimited(LOCKED_MESSAGE.format(minutes=settings.LOGIN_LOCK_MINUTES))


def record_failure(username, ip):
    """Count one failure; lock a username or address that reached its limit within the window."""
    now = timezone.now()
    window_start = now - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    with transaction.atomic():
        for key, limit in _keys(username, ip):
            LoginFailure.objects.create(key=key)
            recent = LoginFailure.objects.filter(key=key, created_at__gt=window_start).count()
            if recent >= limit:
                until = now + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
                try:
                    with transaction.atomic():
                        LoginLock.objects.update_or_create(key=key, defaults={"locked_until": until})
                except IntegrityError:
                    LoginLock.objects.filter(key=key).update(locked_until=until)
                LoginFailure.objects.filter(key=key).delete()
        LoginFailure.objects.filter(created_at__lt=window_start).delete()


def clear_failures(username):
    LoginFailure.objects.filter(key=f"user:{username.lower()}").delete()

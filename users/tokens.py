"""JWT pairs for a signed-in user (CONTRACT §3)."""

from django.conf import settings
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from hotline.api.errors import NotAuthenticated

from .models import User


def token_pair(user):
    refresh = RefreshToken.for_user(user)
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    return {
        "access": str(refresh.access_token),
        "refresh": str(refresh),
        "tokenType": "Bearer",
        "expiresIn": int(lifetime.total_seconds()),
    }


def rotate(refresh_value):
    """A new pair for a valid refresh token of an active user; the old one is blacklisted."""
    try:
        refresh = RefreshToken(refresh_value)
    except TokenError:
        raise NotAuthenticated("刷新令牌无效或已过期") from None
    user = User.objects.filter(pk=refresh.payload.get("user_id")).first()
    if user is None or not user.is_active:
        raise NotAuthenticated("账号不存在或已被禁用")
    refresh.blacklist()
    return token_pair(user)


def revoke(refresh_value):
    """Blacklist one refresh token; an already invalid token needs nothing more."""
    try:
        RefreshToken(refresh_value).blacklist()
    except TokenError:
        pass


def revoke_all(user):
    """Blacklist every outstanding refresh token of a user (password change, ban, deletion)."""
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )

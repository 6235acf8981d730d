"""JWT pairs for a signed-in user (CONTRACT §3).

Refresh tokens rotate: each is spent once. Spending is serialised on the token's outstanding row, so of
several simultaneous refreshes exactly one succeeds. A spent token presented again means two parties
hold it: every token of its family (the chain of rotations since one sign-in) is revoked. A token minted
before the user's password last changed is refused (the password-hash claim), whichever way the password
was changed (API, workspace or Django admin)."""

from django.conf import settings
from django.db import transaction
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from hotline.api.errors import NotAuthenticated

from .models import RefreshTokenFamily, User

FAMILY_CLAIM = "fam"
INVALID_MESSAGE = "刷新令牌无效或已过期"
REUSED_MESSAGE = "刷新令牌已被使用，相关登录已全部注销，请重新登录"


def token_pair(user, *, family=None):
    refresh = RefreshToken.for_user(user)
    jti = refresh[api_settings.JTI_CLAIM]
    refresh[FAMILY_CLAIM] = family or jti
    RefreshTokenFamily.objects.create(jti=jti, family=refresh[FAMILY_CLAIM])
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    return {
        "access": str(refresh.access_token),
        "refresh": str(refresh),
        "tokenType": "Bearer",
        "expiresIn": int(lifetime.total_seconds()),
    }


def _decode(refresh_value):
    """Signature, expiry and type checked; whether it is spent is decided under the row lock."""
    try:
        token_backend.decode(refresh_value, verify=True)
        refresh = RefreshToken(refresh_value, verify=False)
        refresh.verify_token_type()
    except (TokenBackendError, TokenError):
        raise NotAuthenticated(INVALID_MESSAGE) from None
    return refresh


def _revoke_family(jti, family):
    members = RefreshTokenFamily.objects.filter(family=family).values("jti")
    outstanding = OutstandingToken.objects.filter(jti__in=members) | OutstandingToken.objects.filter(jti=jti)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


def rotate(refresh_value):
    """A new pair for an unspent refresh token of an active user whose password has not changed since."""
    refresh = _decode(refresh_value)
    jti = refresh.payload.get(api_settings.JTI_CLAIM)
    family = refresh.payload.get(FAMILY_CLAIM) or jti
    with transaction.atomic():
        outstanding = OutstandingToken.objects.select_for_update(of=("self",)).filter(jti=jti).first()
        if outstanding is None:
            raise NotAuthenticated(INVALID_MESSAGE)
        reused = BlacklistedToken.objects.filter(token=outstanding).exists()
        if reused:
            _revoke_family(jti, family)
        else:
            user = User.objects.filter(pk=refresh.payload.get(api_settings.USER_ID_CLAIM)).first()
            if user is None or not user.is_active:
                raise NotAuthenticated("账号不存在或已被禁用")
            claimed = refresh.payload.get(api_settings.REVOKE_TOKEN_CLAIM)
            if claimed != get_md5_hash_password(user.password):
                raise NotAuthenticated(INVALID_MESSAGE)
            BlacklistedToken.objects.create(token=outstanding)
            return token_pair(user, family=family)
    # Outside the block, so the family's revocation is committed before the refusal.
    raise NotAuthenticated(REUSED_MESSAGE)


def revoke(refresh_value):
    """Blacklist one refresh token (logout); an already invalid token needs nothing more."""
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

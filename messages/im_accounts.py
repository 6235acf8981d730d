"""Importing users into the IM service (REST `v4/im_open_login_svc/account_import`). A failure is
logged and retried on the user's next /im/sign; it never fails the user's own request."""

import logging
import secrets

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import ImAccount
from .usersig import gen_usersig

logger = logging.getLogger(__name__)
ADMIN_SIG_SECONDS = 3600


def im_configured():
    return bool(settings.TIM_SDKAPPID and settings.TIM_SECRET_KEY and str(settings.TIM_SDKAPPID).isdigit())


def _import(user):
    sdkappid = int(settings.TIM_SDKAPPID)
    admin = settings.TIM_ADMIN_IDENTIFIER
    params = {
        "sdkappid": sdkappid,
        "identifier": admin,
        "usersig": gen_usersig(admin, sdkappid, settings.TIM_SECRET_KEY, ADMIN_SIG_SECONDS),
        "random": secrets.randbits(32),
        "contenttype": "json",
    }
    body = {"UserID": user.username, "Nick": user.name or user.username, "FaceUrl": user.avatar_url or ""}
    response = requests.post(
        f"{settings.TIM_API_BASE}/v4/im_open_login_svc/account_import", params=params, json=body, timeout=3
    )
    data = response.json()
    if not isinstance(data, dict):
        raise RuntimeError(f"account_import answered {str(data)[:200]!r}")
    if data.get("ActionStatus") != "OK" or data.get("ErrorCode", 0) != 0:
        raise RuntimeError(f"account_import failed: {data.get('ErrorCode')} {data.get('ErrorInfo')}")


def ensure_im_account(user):
    """Import `user` once; returns True when the user is known to the IM service."""
    if not im_configured():
        return False
    account, _ = ImAccount.objects.get_or_create(user=user)
    if account.imported_at is not None:
        return True
    try:
        _import(user)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        logger.warning("IM account import of %s failed, will retry at next sign-in: %s", user.username, exc)
        ImAccount.objects.filter(pk=account.pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:1000])
        return False
    ImAccount.objects.filter(pk=account.pk).update(
        imported_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return True


def import_after_commit(user):
    """Schedule the import once the user's creation is committed."""
    transaction.on_commit(lambda: ensure_im_account(user), robust=True)


def import_on_user_created(sender, *, user, **kwargs):
    """Receiver of `users.signals.user_created` (connected in MessagesConfig.ready)."""
    import_after_commit(user)

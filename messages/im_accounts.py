"""The IM service's account REST API (`v4/im_open_login_svc/account_import` and `kick`).

Both run as background jobs (`messages/tasks.py`), retried with backoff; an import is also tried again
on the user's next /im/sign. Neither fails the user's or the administrator's request. The request URL
carries the administrator's UserSig, so an error is described by its type and the provider's ErrorCode
only: never the URL, the exception text or the provider's free-form answer, in the log, in a job's
history or in `ImAccount.last_error` (shown in the admin).
"""

import logging
import secrets

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import ImAccount
from .usersig import gen_usersig

logger = logging.getLogger(__name__)
ADMIN_SIG_SECONDS = 3600


class ImRestError(Exception):
    """The provider refused a call: `code` is its ErrorCode (None when the answer had none)."""

    def __init__(self, api, code):
        super().__init__(f"{api} answered ErrorCode {code}")
        self.code = code


def im_configured():
    return bool(settings.TIM_SDKAPPID and settings.TIM_SECRET_KEY and str(settings.TIM_SDKAPPID).isdigit())


def describe_error(exc):
    """What may be logged or stored about a failed call: no URL, no usersig, no provider text."""
    if isinstance(exc, ImRestError):
        return f"ImRestError ErrorCode={exc.code}"
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTPError status={exc.response.status_code}"
    return type(exc).__name__


def _call(api, body, service="im_open_login_svc"):
    """POST `body` to the REST API `service/api` as the IM administrator; raises on any failure."""
    sdkappid = int(settings.TIM_SDKAPPID)
    admin = settings.TIM_ADMIN_IDENTIFIER
    params = {
        "sdkappid": sdkappid,
        "identifier": admin,
        "usersig": gen_usersig(admin, sdkappid, settings.TIM_SECRET_KEY, ADMIN_SIG_SECONDS),
        "random": secrets.randbits(32),
        "contenttype": "json",
    }
    response = requests.post(
        f"{settings.TIM_API_BASE}/v4/{service}/{api}",
        params=params,
        json=body,
        timeout=settings.TIM_TIMEOUT_SECONDS,
    )
    response.raise_for_status()
    data = response.json()
    if not isinstance(data, dict):
        raise ImRestError(api, None)
    if data.get("ActionStatus") != "OK" or data.get("ErrorCode", 0) != 0:
        code = data.get("ErrorCode")
        raise ImRestError(api, code if isinstance(code, int) else None)


CALL_ERRORS = (requests.RequestException, ValueError, ImRestError)


class ImCallFailed(Exception):
    """A call to the account API failed; the message is `describe_error`'s (no URL, no UserSig), so it
    may be logged and kept in a job's history."""


def import_account(user):
    """Import `user` once: True when the user is known to the IM service, False when the IM service is
    not configured. Raises ImCallFailed (after recording it on the ImAccount) when the provider fails."""
    if not im_configured():
        return False
    account, _ = ImAccount.objects.get_or_create(user=user)
    if account.imported_at is not None:
        return True
    body = {"UserID": user.username, "Nick": user.name or user.username, "FaceUrl": user.avatar_url or ""}
    try:
        _call("account_import", body)
    except CALL_ERRORS as exc:
        error = describe_error(exc)
        ImAccount.objects.filter(pk=account.pk).update(attempts=F("attempts") + 1, last_error=error)
        raise ImCallFailed(error) from None
    ImAccount.objects.filter(pk=account.pk).update(
        imported_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return True


def ensure_im_account(user):
    """/im/sign's import: never fails the caller; returns True when the user is known to the IM service."""
    try:
        return import_account(user)
    except ImCallFailed as exc:
        logger.warning("IM account import of %s failed, will retry at next sign-in: %s", user.username, exc)
        return False


def kick(username):
    """End `username`'s IM sessions on every device. A UserSig it still holds stays valid until it
    expires, hence the short USERSIG_EXPIRE_SECONDS and /im/sign refusing inactive users.
    Returns False when the IM service is not configured; raises ImCallFailed when the provider fails."""
    if not im_configured():
        return False
    try:
        _call("kick", {"UserID": username})
    except CALL_ERRORS as exc:
        raise ImCallFailed(describe_error(exc)) from None
    return True


def send_custom_message(to_account, data, desc):
    """`v4/openim/sendmsg`: one TIMCustomElem from TIM_ADMIN_IDENTIFIER to `to_account` (crisis alerts,
    CONTRACT §10). False when the IM service is not configured; raises ImCallFailed when it fails."""
    if not im_configured():
        return False
    body = {
        "SyncOtherMachine": 2,
        "From_Account": settings.TIM_ADMIN_IDENTIFIER,
        "To_Account": to_account,
        "MsgRandom": secrets.randbits(31),
        "MsgBody": [{"MsgType": "TIMCustomElem", "MsgContent": {"Data": data, "Desc": desc, "Ext": ""}}],
    }
    try:
        _call("sendmsg", body, service="openim")
    except CALL_ERRORS as exc:
        raise ImCallFailed(describe_error(exc)) from None
    return True

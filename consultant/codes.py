"""Verification codes (CONTRACT §9): 6 digits, 10 minutes, single use, stored as an HMAC, at most 5
wrong tries, one send per account per 60 s and 10 per day."""

import hashlib
import hmac
import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hotline.api.errors import InvalidParam, ProviderError, RateLimited
from hotline.crypto import decrypt_json, encrypt_json
from hotline.jobs import enqueue, jobs_queued

from . import sms
from .models import VerificationCode

logger = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=10)
RESEND_INTERVAL = timedelta(seconds=60)
DAILY_LIMIT = 10
MAX_ATTEMPTS = 5
INVALID_CODE = "验证码错误或已失效"


def _digest(channel, account, code):
    message = f"{channel}:{account}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def normalize(channel, account):
    return account.strip().lower() if channel == VerificationCode.Channel.EMAIL else account.strip()


def code_send(*, channel, account, ip=""):
    account = normalize(channel, account)
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        recent = VerificationCode.objects.select_for_update().filter(
            channel=channel, account=account, created_at__gte=now - timedelta(days=1)
        )
        sent = list(recent.values_list("created_at", flat=True))
        if any(created >= now - RESEND_INTERVAL for created in sent):
            raise RateLimited("验证码发送过于频繁，请60秒后再试")
        if len(sent) >= DAILY_LIMIT:
            raise RateLimited("今日验证码发送次数已达上限")
        if ip and VerificationCode.objects.filter(
            ip=ip, created_at__gte=now - timedelta(hours=1)
        ).count() >= (settings.CODE_SENDS_PER_IP_PER_HOUR):
            raise RateLimited("发送验证码过于频繁，请稍后再试")
        record = VerificationCode.objects.create(
            channel=channel,
            account=account,
            code_hash=_digest(channel, account, code),
            expires_at=now + CODE_TTL,
            ip=ip,
        )
    try:
        deliver(channel, account, code)
    except (ProviderError, OSError) as exc:
        if transient(exc) and jobs_queued():
            # The provider is down or slow, not refusing: the worker delivers this same code, retried
            # with backoff while it is still valid (consultant/tasks.py). The job's arguments are sealed.
            logger.warning("%s code delivery deferred to a job: %s", channel, type(exc).__name__)
            from .tasks import deliver_code

            sealed = encrypt_json({"channel": channel, "account": account, "code": code})
            with transaction.atomic():
                enqueue(deliver_code, record_id=record.pk, sealed=sealed)
            return
        # Nothing reached the user: forget the code so the 60-second limit does not block a retry.
        record.delete()
        if isinstance(exc, ProviderError):
            raise
        raise ProviderError("验证码发送失败，请稍后再试") from None


def deliver(channel, account, code):
    """Send the code by email or SMS; raises ProviderError or OSError (SMTP) when it did not go out."""
    text = f"【心院热线】您的验证码是{code}，10分钟内有效。如非本人操作，请忽略。"
    if channel == VerificationCode.Channel.EMAIL:
        send_mail("【心院热线】验证码", text, settings.DEFAULT_FROM_EMAIL, [account])
    else:
        sms.send_code(account, code, text)


# Failures that say nothing about the message itself (the server is unreachable, slow or dropped the
# line): a later attempt may go through. A refusal (unknown recipient, bad credentials, a provider's
# limit) is answered at once instead.
_TRANSIENT_SMTP = (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, smtplib.SMTPHeloError)


def transient(exc):
    if isinstance(exc, (sms.SmsUnavailable, *_TRANSIENT_SMTP)):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def deliver_sealed(record_id, sealed):
    """The job's delivery: nothing to do once the code was used, expired or replaced by a newer one."""
    record = VerificationCode.objects.filter(pk=record_id, used_at__isnull=True).first()
    if record is None or record.expires_at <= timezone.now():
        return False
    newer = VerificationCode.objects.filter(
        channel=record.channel, account=record.account, created_at__gt=record.created_at
    )
    if newer.exists():
        return False
    payload = decrypt_json(sealed)
    deliver(payload["channel"], payload["account"], payload["code"])
    return True


def code_verify(*, channel, account, code):
    """Consume the newest live code of the account, or raise 400/-2 (wrong, used, expired, too many tries).
    A wrong try is counted in its own transaction, so the count survives the error answer."""
    account = normalize(channel, account)
    if not isinstance(code, str) or not code.strip():
        raise InvalidParam(INVALID_CODE)
    with transaction.atomic():
        latest = (
            VerificationCode.objects.select_for_update()
            .filter(channel=channel, account=account, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        accepted = (
            latest is not None
            and latest.attempts < MAX_ATTEMPTS
            and hmac.compare_digest(latest.code_hash, _digest(channel, account, code.strip()))
        )
        if accepted:
            latest.used_at = timezone.now()
            latest.save(update_fields=["used_at"])
        elif latest is not None and latest.attempts < MAX_ATTEMPTS:
            VerificationCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
    if not accepted:
        raise InvalidParam(INVALID_CODE)

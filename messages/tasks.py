"""Background jobs of the IM archive (hotline/jobs.py): account import and kick, retried with backoff.

Enqueued by the `users.signals` hooks inside the transaction that creates or disables the user, so a
rolled-back request enqueues nothing and a committed one always has its job. A job that exhausts its
attempts stays `failed` in the admin's job list, where an operator can retry it.
"""

import json
import logging

from django.contrib.auth import get_user_model

from conversations import care
from hotline.jobs import app, enqueue, provider_retry

from . import im_accounts

logger = logging.getLogger(__name__)


@app.task(name="messages.import_im_account", retry=provider_retry())
def import_im_account(user_id):
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return
    try:
        im_accounts.import_account(user)
    except im_accounts.ImCallFailed as exc:
        logger.warning("IM account import of %s failed: %s", user.username, exc)
        raise


@app.task(name="messages.kick_im_account", retry=provider_retry())
def kick_im_account(username):
    try:
        im_accounts.kick(username)
    except im_accounts.ImCallFailed as exc:
        logger.warning("IM kick of %s failed: %s", username, exc)
        raise


def enqueue_import(user):
    """Import `user` into the IM service once its creation commits."""
    enqueue(import_im_account, user_id=user.pk)


def enqueue_kick(user):
    """Kick `user` from the IM service once the ban, deletion or deactivation commits."""
    enqueue(kick_im_account, username=user.username)


def import_on_user_created(sender, *, user, **kwargs):
    """Receiver of `users.signals.user_created` (connected in MessagesConfig.ready)."""
    enqueue_import(user)


def kick_on_user_disabled(sender, *, user, **kwargs):
    """Receiver of `users.signals.user_disabled` (connected in MessagesConfig.ready)."""
    enqueue_kick(user)


# ---- care of the people served (CONTRACT §10) ----------------------------------------------------------


@app.task(name="messages.detect_risk")
def detect_risk(msg_key):
    """Flag the message's session HIGH/KEYWORD when its visitor wrote one of the institution's risk
    phrases. Reads the stored (decrypted) message, so no plaintext sits in the job's arguments."""
    from .callbacks import message_texts
    from .models import Message

    message = (
        Message.objects.filter(msg_key=msg_key, placeholder=False)
        .only("conversation_id", "from_account", "msg_body")
        .first()
    )
    if message is None or not message.conversation_id:
        return False
    return care.flag_by_keyword(
        conversation_id=message.conversation_id,
        sender=message.from_account,
        texts=message_texts(message.msg_body),
    )


def enqueue_risk_detection(msg_key):
    enqueue(detect_risk, msg_key=msg_key)


ALERT_DESC = "危机预警：有来访者被标记为高危，请立即关注"
ESCALATED_DESC = "危机预警升级：高危来访者的预警仍未处理，请立即关注"


@app.task(name="messages.send_crisis_alert", retry=provider_retry())
def send_crisis_alert(alert_id, conversation_id, risk_source, to_account, escalated):
    """One recipient of one crisis alert: an IM custom message from TIM_ADMIN_IDENTIFIER, with the ids
    only (no phone, ID number or message text). A failure is retried with backoff."""
    data = {
        "type": "CRISIS_ALERT",
        "alertId": alert_id,
        "conversationId": conversation_id,
        "riskSource": risk_source,
        "escalated": escalated,
    }
    desc = ESCALATED_DESC if escalated else ALERT_DESC
    try:
        sent = im_accounts.send_custom_message(to_account, json.dumps(data), desc)
    except im_accounts.ImCallFailed as exc:
        logger.warning("Crisis alert %s to %s failed: %s", alert_id, to_account, exc)
        raise
    if not sent:
        logger.error("Crisis alert %s not sent to %s: the IM service is not configured", alert_id, to_account)
    return sent


def enqueue_alert(sender, *, alert, recipients, escalated, **kwargs):
    """Receiver of `conversations.signals.alert_raised`: one job per recipient, in the alert's
    transaction, so a retry repeats only the failed delivery."""
    for username in recipients:
        enqueue(
            send_crisis_alert,
            alert_id=alert.pk,
            conversation_id=alert.conversation_id,
            risk_source=alert.risk_source,
            to_account=username,
            escalated=escalated,
        )

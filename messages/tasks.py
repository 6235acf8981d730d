"""Background jobs of the IM archive (hotline/jobs.py): account import and kick, retried with backoff.

Enqueued by the `users.signals` hooks inside the transaction that creates or disables the user, so a
rolled-back request enqueues nothing and a committed one always has its job. A job that exhausts its
attempts stays `failed` in the admin's job list, where an operator can retry it.
"""

import logging

from django.contrib.auth import get_user_model

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

"""Periodic jobs of conversations (hotline/jobs.py): the conversation timeout, every minute by default
(CONVERSATION_EXPIRE_CRON). Every worker runs the scheduler; one job exists per period, and the pass
itself is idempotent and skips rows another process holds (`conversations_expire`)."""

import logging

from django.conf import settings

from hotline.jobs import app

from .services import conversations_expire

logger = logging.getLogger(__name__)


@app.periodic(cron=settings.CONVERSATION_EXPIRE_CRON, periodic_id="expire_conversations")
@app.task(name="conversations.expire_conversations", queueing_lock="conversations.expire_conversations")
def expire_conversations(timestamp):
    expired = conversations_expire()
    if expired:
        logger.info("%s conversation(s) timed out", expired)
    return expired

"""Periodic jobs of conversations (hotline/jobs.py): the conversation timeout, every minute by default
(CONVERSATION_EXPIRE_CRON). Every worker runs the scheduler; one job exists per period, and the pass
itself is idempotent and skips rows another process holds (`conversations_expire`)."""

import logging

from django.conf import settings

from hotline.jobs import app

from .care import alerts_escalate
from .services import conversations_expire

logger = logging.getLogger(__name__)


@app.periodic(cron=settings.CONVERSATION_EXPIRE_CRON, periodic_id="expire_conversations")
@app.task(name="conversations.expire_conversations", queueing_lock="conversations.expire_conversations")
def expire_conversations(timestamp):
    expired = conversations_expire()
    if expired:
        logger.info("%s conversation(s) timed out", expired)
    return expired


@app.periodic(cron=settings.CRISIS_ESCALATE_CRON, periodic_id="escalate_alerts")
@app.task(name="conversations.escalate_alerts", queueing_lock="conversations.escalate_alerts")
def escalate_alerts(timestamp):
    """Crisis alerts left OPEN CRISIS_ESCALATE_MINUTES are sent again (CONTRACT §10), every minute."""
    escalated = alerts_escalate()
    if escalated:
        logger.warning("%s crisis alert(s) escalated", escalated)
    return escalated

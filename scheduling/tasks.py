"""Stale presence (PRESENCE_STALE_CRON): an identifier the IM provider last reported online longer ago
than a UserSig lives cannot still be signed in on that login, so a lost Logout/Disconnect callback does
not leave a counsellor shown online for ever (`services.presence_expire_stale`)."""

import logging

from django.conf import settings

from hotline.jobs import app

from .services import presence_expire_stale

logger = logging.getLogger(__name__)


@app.periodic(cron=settings.PRESENCE_STALE_CRON, periodic_id="expire_stale_presence")
@app.task(name="scheduling.expire_stale_presence", queueing_lock="scheduling.expire_stale_presence")
def expire_stale_presence(timestamp):
    expired = presence_expire_stale()
    if expired:
        logger.info("%s stale online presence(s) set offline", expired)
    return expired

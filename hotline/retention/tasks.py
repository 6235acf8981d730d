"""The nightly retention run (RETENTION_PURGE_CRON): the same pass as `python manage.py purge_expired`,
from the worker's scheduler. With RETENTION_DAYS=0 it deletes only audit rows past AUDIT_RETENTION_DAYS.
Idempotent and safe beside a manual run (the pass skips rows another process holds)."""

import logging

from django.conf import settings

from hotline.jobs import app

from .services import purge_expired

logger = logging.getLogger(__name__)


@app.periodic(cron=settings.RETENTION_PURGE_CRON, periodic_id="purge_expired")
@app.task(name="retention.purge_expired", queueing_lock="retention.purge_expired")
def purge_expired_periodically(timestamp):
    counts = purge_expired()
    logger.info(
        "purge_expired: %s visitors anonymised, %s transcripts (%s messages) deleted, %s audit rows deleted",
        counts.visitors,
        counts.conversations,
        counts.messages,
        counts.audit,
    )
    return {"visitors": counts.visitors, "conversations": counts.conversations, "audit": counts.audit}

"""Background delivery of a verification code whose provider was unreachable during the request
(`codes.code_send`): the same code, retried with backoff (3, 9, 27, 81 s by default) while it is still
valid; a code used, expired or replaced meanwhile is not sent. A job that runs out of retries stays
`failed` in the admin's job list. The code, address and phone travel encrypted in the job's arguments."""

import logging

from hotline.jobs import app, provider_retry

from . import codes

logger = logging.getLogger(__name__)

# Four retries: about two minutes of backoff, well inside the code's ten minutes.
CODE_DELIVERY_RETRIES = 4


@app.task(name="consultant.deliver_code", retry=provider_retry(CODE_DELIVERY_RETRIES))
def deliver_code(record_id, sealed):
    try:
        return codes.deliver_sealed(record_id, sealed)
    except Exception as exc:
        logger.warning("Verification code delivery failed again: %s", type(exc).__name__)
        raise

"""This app's gauges for `/metrics` (registered in `apps.py` through `hotline.api.metrics`)."""

import time

from django.db.models import Max

from .models import Message


def im_callback_lag_seconds():
    """Now minus the IM provider's `MsgTime` of the newest message the callback stored (the index on
    `msg_time` makes it one short index scan); no sample before the first message. It grows while
    callbacks stop arriving, and in quiet hours; a late retry of an old message does not move it."""
    newest = Message.objects.filter(placeholder=False, msg_time__gt=0).aggregate(newest=Max("msg_time"))
    if newest["newest"] is None:
        return None
    return max(0.0, time.time() - newest["newest"])


def register():
    from hotline.api.metrics import register_gauge

    register_gauge(
        "hotline_im_callback_lag_seconds",
        "Now minus MsgTime of the newest message stored from the IM callback.",
        im_callback_lag_seconds,
    )

"""Optional error reporting to Sentry (SENTRY_DSN), with personal data kept out of every event.

`send_default_pii=False` keeps users' addresses, cookies and bodies out; `before_send` then removes what
remains that could carry a name, phone, ID number, token or message text: the request's body, query
string, headers and cookies, the user beyond its id, stack-frame variables, breadcrumb data, and what
`hotline.api.redact` recognises in messages and exception values.
"""

import warnings

from .redact import redact as scrub_text


def _scrub_frames(stacktrace):
    for frame in (stacktrace or {}).get("frames", []):
        frame.pop("vars", None)


def scrub_event(event, hint=None):
    """Sentry's `before_send`: the event with personal data removed (never drops the event)."""
    request = event.get("request")
    if request is not None:
        kept = {"method": request.get("method"), "url": (request.get("url") or "").split("?", 1)[0]}
        event["request"] = {key: value for key, value in kept.items() if value}
    user = event.get("user")
    if user:
        event["user"] = {"id": user["id"]} if user.get("id") else {}
    for exception in (event.get("exception") or {}).get("values", []):
        exception["value"] = scrub_text(exception.get("value"))
        _scrub_frames(exception.get("stacktrace"))
    for thread in (event.get("threads") or {}).get("values", []):
        _scrub_frames(thread.get("stacktrace"))
    if "logentry" in event:
        logentry = event["logentry"]
        logentry["message"] = scrub_text(logentry.get("message"))
        logentry.pop("params", None)
        logentry["formatted"] = scrub_text(logentry.get("formatted"))
    if "message" in event:
        event["message"] = scrub_text(event["message"])
    breadcrumbs = event.get("breadcrumbs") or {}
    crumbs = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else breadcrumbs
    for crumb in crumbs:
        crumb.pop("data", None)
        crumb["message"] = scrub_text(crumb.get("message"))
    event.pop("extra", None)
    return event


def init_error_reporting(dsn, *, environment, release=None):
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    options = {
        "dsn": dsn,
        "environment": environment,
        "release": release or None,
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "before_send": scrub_event,
        "traces_sample_rate": 0,
        # Unexpected errors reach Sentry through their log record (hotline.api.exceptions logs them at
        # ERROR: the envelope middleware answers them, so Django's own signal never fires).
        "integrations": [DjangoIntegration()],
    }
    with warnings.catch_warnings():
        # Newer 2.x releases prefer `data_collection`; `send_default_pii=False` means the same in all.
        warnings.filterwarnings("ignore", "The send_default_pii option is deprecated", DeprecationWarning)
        sentry_sdk.init(**options)

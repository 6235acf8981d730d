"""One log line and the HTTP metrics per request: request id, method, route, status, duration, user id.

Nothing else about the request is written: not the path (it can carry ids chosen by callers), not the
query string (`/file/download?token=`), no header, no body. The route is the URL pattern that matched
(`/user/ban/<int:user_id>`), so the metrics' label set stays bounded whatever callers send.
"""

import logging
import time

from django.urls import Resolver404, resolve
from django.utils.functional import SimpleLazyObject, empty
from prometheus_client import Counter, Histogram

logger = logging.getLogger("hotline.request")

UNMATCHED = "unmatched"

REQUEST_SECONDS = Histogram(
    "hotline_http_request_duration_seconds",
    "Time from receiving a request to returning its response, by route and method.",
    ["route", "method"],
)
REQUESTS = Counter(
    "hotline_http_requests",
    "Requests answered, by route, method and status.",
    ["route", "method", "status"],
)


def route_of(request):
    """The URL pattern that serves `request` ('unmatched' for the catch-all 404 and unknown paths)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNMATCHED
    route = match.route or ""
    if not route or route.startswith("^.*"):
        return UNMATCHED
    return "/" + route.strip("/")


def user_id_of(request):
    """The signed-in user's id, if authentication already ran (never triggers a lookup of its own)."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            return None
        user = user._wrapped
    if not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class RequestLogMiddleware:
    """Placed right after RequestIdMiddleware, so every answer (a 413 before routing too) is counted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route = route_of(request)
        method = request.method if request.method in _METHODS else "OTHER"
        REQUEST_SECONDS.labels(route, method).observe(elapsed)
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        fields = {
            "method": method,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1),
            "user_id": user_id_of(request),
        }
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s %s %.1fms user=%s",
            method,
            route,
            response.status_code,
            fields["duration_ms"],
            fields["user_id"] or "-",
            extra=fields,
        )
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

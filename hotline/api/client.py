"""Who is calling: the client address used by throttles and audit entries."""

from django.conf import settings


def client_ip(request):
    """The caller's address: the first X-Forwarded-For hop when a trusted proxy sets it (TRUST_X_FORWARDED_FOR)."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"

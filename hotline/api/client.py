"""Who is calling: the client address used by throttles and audit entries."""

from django.conf import settings


def client_ip(request):
    """The caller's address. Behind `TRUST_X_FORWARDED_FOR` = N proxies of our own, the address the
    outermost of them saw: each proxy appends the address it received the request from, so that is the
    N-th `X-Forwarded-For` entry from the right. Entries further left were written by the client and
    are never trusted."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.TRUST_X_FORWARDED_FOR
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote  # did not come through every proxy: the connection's own address is all we know
    return hops[-proxies][:64]

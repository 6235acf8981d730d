"""`/metrics` in Prometheus' text format, and the hook through which each app adds its own gauges.

An app registers a gauge in its `AppConfig.ready` with `register_gauge(name, documentation, read)`;
`read()` runs at each scrape (one cheap query) and returns a number, `None` (no sample), or, with
`label=`, a mapping of label value to number. Registered today: `hotline_waiting_sessions`,
`hotline_open_crisis_alerts`, `hotline_oldest_open_alert_age_seconds` (conversations),
`hotline_im_callback_lag_seconds` (messages), the job gauges (hotline/jobs.py) (README, "Metrics and logs").

The endpoint answers only with METRICS_TOKEN set (404 otherwise) and only to `Authorization: Bearer
<METRICS_TOKEN>` (401). Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py
does the bookkeeping) so that the request metrics of every worker are added up, not one worker's at random.
"""

import hmac
import logging
import os

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder

from .envelope import error_response
from .views import not_found

logger = logging.getLogger(__name__)

_GAUGES = {}


def register_gauge(name, documentation, read, *, label=None):
    """Add (or replace) the service gauge `name`, read at each scrape."""
    _GAUGES[name] = (documentation, read, label)


class ServiceGauges:
    """A Prometheus collector over the registered gauges. A gauge whose read fails (the database is
    down) is left out of that scrape and logged; the others are still answered."""

    def collect(self):
        for name, (documentation, read, label) in sorted(_GAUGES.items()):
            try:
                value = read()
            except Exception:
                logger.exception("metrics: reading %s failed", name)
                continue
            if value is None:
                continue
            if label is None:
                yield GaugeMetricFamily(name, documentation, value=value)
                continue
            family = GaugeMetricFamily(name, documentation, labels=[label])
            for key, number in sorted(value.items()):
                family.add_metric([str(key)], number)
            yield family

    def describe(self):
        return []  # read at scrape time only: registering must not query the database


SERVICE_GAUGES = ServiceGauges()
REGISTRY.register(SERVICE_GAUGES)


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(SERVICE_GAUGES)
        return registry
    return REGISTRY


def _bearer(request):
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def metrics_view(request):
    token = settings.METRICS_TOKEN
    if not token:
        return not_found(request)
    if request.method not in ("GET", "HEAD"):
        response = error_response(request.path, 405, -2, f"不支持的请求方法: {request.method}")
        response["Allow"] = "GET, HEAD"
        return response
    if not hmac.compare_digest(_bearer(request).encode(), token.encode()):
        response = error_response(request.path, 401, 401, "认证失败：指标令牌不正确")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    # The classic text format unless the scraper asks for OpenMetrics or a newer text version.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(_registry()), content_type=content_type)

"""/metrics: off without METRICS_TOKEN, Bearer-protected, Prometheus text with the service's gauges."""

import time

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from conversations.models import Conversation
from tests.helpers import client_for, make_user
from tests.messages.helpers import message, post_callback
from users.models import UserType

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-0123456789abcdef"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_are_off_without_a_token(anon):
    response = anon.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 404
    assert response.json()["code"] == -4
    assert anon.get("/metrics/").status_code == 404


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-token-0123456789abcdef", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer ", TOKEN],
)
def test_metrics_refuse_a_missing_or_wrong_token(metrics_on, anon, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = anon.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"hotline_" not in response.content


def test_a_users_access_token_is_not_a_metrics_token(metrics_on, sysadmin):
    assert client_for(sysadmin).get("/metrics").status_code == 401


def test_only_get_is_answered(metrics_on, anon):
    response = anon.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_request_latency_is_counted_per_route_and_method(metrics_on, anon, counselor):
    key = ("hotline_http_request_duration_seconds_count", (("method", "GET"), ("route", "/auth/me")))
    before = scrape(anon).get(key, 0)
    client_for(counselor).get("/auth/me")
    client_for(counselor).get("/auth/me/")
    samples = scrape(anon)
    assert samples[key] == before + 2
    bucket = (
        "hotline_http_request_duration_seconds_bucket",
        (("le", "+Inf"), ("method", "GET"), ("route", "/auth/me")),
    )
    assert samples[bucket] == samples[key]
    status_key = (
        "hotline_http_requests_total",
        (("method", "GET"), ("route", "/auth/me"), ("status", "200")),
    )
    assert samples[status_key] >= 2


def _session(visitor, counselor, status="WAITING", **fields):
    return Conversation.objects.create(
        status=status, user=visitor, counselor=counselor, institution=visitor.institution, **fields
    )


def test_the_service_gauges_have_the_datasets_values(metrics_on, anon, tim, ecnu, other_inst):
    ecnu_counselor = make_user(UserType.COUNSELOR, inst=ecnu)
    sjtu_counselor = make_user(UserType.COUNSELOR, inst=other_inst)
    supervisor = make_user(UserType.SUPERVISOR, inst=ecnu)

    def visitor(inst):
        return make_user(UserType.VISITOR, inst=inst)

    _session(visitor(ecnu), ecnu_counselor)
    _session(visitor(ecnu), ecnu_counselor)
    _session(visitor(other_inst), sjtu_counselor)
    # Not waiting sessions: running, finished, deleted, and a supervision request.
    _session(visitor(ecnu), ecnu_counselor, status="IN_PROGRESS", start_time=timezone.now())
    _session(visitor(ecnu), ecnu_counselor, status="FINISHED")
    _session(visitor(ecnu), ecnu_counselor, deleted_at=timezone.now())
    _session(ecnu_counselor, supervisor, type="REQUEST_SUPERVISE")

    samples = scrape(anon)
    assert samples[("hotline_waiting_sessions", (("institution", "ecnu"),))] == 2
    assert samples[("hotline_waiting_sessions", (("institution", "sjtu"),))] == 1
    assert not [key for key in samples if key[0] == "hotline_im_callback_lag_seconds"]  # no message yet

    now = int(time.time())
    assert post_callback(anon, message("k-new", seq=1, at=now - 45)).json()["ActionStatus"] == "OK"
    assert post_callback(anon, message("k-old", seq=2, at=now - 3600)).json()["ActionStatus"] == "OK"
    lag = scrape(anon)[("hotline_im_callback_lag_seconds", ())]
    assert 45 <= lag < 45 + 120  # the newest MsgTime counts, not the message stored last


def test_gauges_that_have_nothing_to_count_answer_zero_or_nothing(metrics_on, anon):
    samples = scrape(anon)
    assert not [key for key in samples if key[0] == "hotline_waiting_sessions"]
    assert not [key for key in samples if key[0] == "hotline_im_callback_lag_seconds"]


def test_crisis_alert_gauges(metrics_on, anon, ecnu, counselor, visitor):
    from datetime import timedelta

    from conversations.models import Alert

    samples = scrape(anon)
    assert samples[("hotline_open_crisis_alerts", ())] == 0
    assert samples[("hotline_oldest_open_alert_age_seconds", ())] == 0
    conversation = Conversation.objects.create(
        status="WAITING", user=visitor, counselor=counselor, institution=ecnu, risk_level="HIGH"
    )
    for minutes, status in ((3, "OPEN"), (1, "OPEN"), (10, "ACKED")):
        Alert.objects.create(
            conversation=conversation,
            counselor=counselor,
            institution=ecnu,
            risk_source="STAFF",
            status=status,
            created_at=timezone.now() - timedelta(minutes=minutes),
        )
    samples = scrape(anon)
    assert samples[("hotline_open_crisis_alerts", ())] == 2
    assert 180 <= samples[("hotline_oldest_open_alert_age_seconds", ())] < 240

"""The client address behind reverse proxies (throttles and audit entries rely on it)."""

import pytest
from django.test import RequestFactory

from hotline.api.client import client_ip


def address(settings, proxies, forwarded=None, remote="10.0.0.9"):
    settings.TRUST_X_FORWARDED_FOR = proxies
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    assert address(settings, 0, "1.2.3.4") == "10.0.0.9"


def test_one_proxy_takes_the_rightmost_entry_not_the_spoofable_leftmost(settings):
    assert address(settings, 1, "6.6.6.6, 203.0.113.7") == "203.0.113.7"


def test_two_proxies_take_the_second_entry_from_the_right(settings):
    assert address(settings, 2, "6.6.6.6, 203.0.113.7, 10.0.0.2") == "203.0.113.7"


@pytest.mark.parametrize("forwarded", [None, "", "203.0.113.7"])
def test_a_request_that_skipped_a_proxy_falls_back_to_the_connection(settings, forwarded):
    assert address(settings, 2, forwarded) == "10.0.0.9"

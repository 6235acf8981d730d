"""Every path answers with and without a trailing slash, without redirects (CONTRACT §1)."""

from django.urls import path, register_converter

from .converters import HexIdConverter, UsernameConverter

register_converter(HexIdConverter, "hexid")
register_converter(UsernameConverter, "username")


def both(route, view, name=None):
    """Two URL patterns for one route: `route` and `route/`."""
    route = route.strip("/")
    return [path(route, view, name=name), path(route + "/", view)]

"""OpenAPI helpers: envelope wrappers for responses and a hook hiding the trailing-slash twins."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

_cache = {}


def drop_trailing_slash_twins(endpoints, **kwargs):
    return [ep for ep in endpoints if not (ep[0].endswith("/") and ep[0] != "/")]


def _error_component(workspace=False):
    key = "WorkspaceError" if workspace else "Error"
    if key not in _cache:
        _cache[key] = inline_serializer(
            "WorkspaceErrorEnvelope" if workspace else "ErrorEnvelope",
            {
                "code": serializers.IntegerField(),
                "message": serializers.CharField(),
                "data" if workspace else "result": serializers.JSONField(allow_null=True),
            },
        )
    return _cache[key]


def envelope(name, result=None, *, many=False, paged=False, workspace=False):
    """A schema component for `{"code", "message", "result"|"data"}` around `result`."""
    key = f"{name}:{many}:{paged}:{workspace}"
    if key in _cache:
        return _cache[key]
    if result is None:
        inner = serializers.CharField(default="ok")
    elif isinstance(result, serializers.Field):
        inner = result
    else:
        inner = result(many=many) if isinstance(result, type) else result
    fields = {"code": serializers.IntegerField(), "message": serializers.CharField()}
    fields["data" if workspace else "result"] = inner
    if paged:
        fields["count"] = serializers.IntegerField()
        fields["next"] = serializers.IntegerField(allow_null=True)
    _cache[key] = inline_serializer(name, fields)
    return _cache[key]


def responses(success, *, errors=(400, 401, 403, 404), workspace=False):
    """Response map for @extend_schema: the success envelope plus the error envelopes that may occur."""
    described = {200: success}
    for status in errors:
        described[status] = OpenApiResponse(_error_component(workspace), description="错误信封 (CONTRACT §2)")
    return described

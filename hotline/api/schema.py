"""OpenAPI helpers: envelope wrappers for responses and a hook hiding the trailing-slash twins."""

from drf_spectacular.drainage import set_override
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from .envelope import api_family

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
    # An envelope is one object even around a list: without this, drf-spectacular declares the answer of
    # a ViewSet's `list` action as an array of envelopes.
    _cache[key] = set_override(inline_serializer(name, fields), "many", False)
    return _cache[key]


def responses(success, *, errors=(400, 401, 403, 404), workspace=False):
    """Response map for @extend_schema: the success envelope plus the error envelopes that may occur."""
    described = {200: success}
    for status in errors:
        described[status] = OpenApiResponse(_error_component(workspace), description="错误信封 (CONTRACT §2)")
    return described


# Statuses any operation with a body may answer before its view runs: the body cap (413) and the parser
# (415, a Content-Type the operation does not read). Declared once here instead of on every action.
_BODY_ERRORS = {"413": "请求体过大 (CONTRACT §2)", "415": "不支持的 Content-Type (CONTRACT §2)"}


def declare_body_errors(result, generator, request, public):
    """Postprocessing hook: add the 413/415 error envelopes to every operation that takes a body."""
    schemas = result.get("components", {}).get("schemas", {})
    for path, methods in result.get("paths", {}).items():
        family = api_family(path)
        if family == "im":
            continue
        component = "WorkspaceErrorEnvelope" if family == "workspace" else "ErrorEnvelope"
        if component not in schemas:
            continue
        for operation in methods.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            for status, description in _BODY_ERRORS.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}
                        },
                        "description": description,
                    },
                )
    return result

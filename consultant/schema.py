"""OpenAPI helpers of the workspace: its envelope (`data`, errors in the workspace envelope) around the
output serializers of `outputs.py`, and request bodies of userID + token + an input serializer."""

from functools import cache

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from hotline.api.schema import envelope
from hotline.api.schema import responses as _responses

WS_ERRORS = (400, 401, 403, 404, 429)
AUTH_FIELDS = {"userID": serializers.CharField(), "token": serializers.CharField()}
OK_ENVELOPE = envelope(
    "WorkspaceOkEnvelope", serializers.JSONField(allow_null=True, default=None), workspace=True
)


def responses(success, errors=WS_ERRORS):
    """Workspace response map: errors come in the workspace envelope (`data`, not `result`)."""
    return _responses(success, errors=errors, workspace=True)


def data_of(serializer_class, *, many=False, name=None):
    """The workspace envelope whose `data` is `serializer_class` (a list of it when `many`)."""
    name = name or f"{serializer_class.__name__}{'List' if many else ''}Envelope"
    return envelope(name, serializer_class, many=many, workspace=True)


@cache  # one component per serializer, however many endpoints answer it
def with_id(serializer_class):
    """The envelope of a creation: `data` plus the new `id` at the top level, as the seed shows."""
    return inline_serializer(
        f"{serializer_class.__name__}CreatedEnvelope",
        {
            "code": serializers.IntegerField(),
            "message": serializers.CharField(),
            "id": serializers.IntegerField(),
            "data": serializer_class(),
        },
    )


@cache
def with_total(serializer_class):
    """The envelope of the comments page: `data` is the list, `total` beside it."""
    return inline_serializer(
        f"{serializer_class.__name__}PageEnvelope",
        {
            "code": serializers.IntegerField(),
            "message": serializers.CharField(),
            "data": serializer_class(many=True),
            "total": serializers.IntegerField(),
        },
    )


def ws_request(name, serializer_class=None):
    """Schema of a workspace body: userID + token + the serializer's fields."""
    fields = dict(AUTH_FIELDS)
    if serializer_class is not None:
        fields.update(serializer_class().get_fields())
    return inline_serializer(name, fields)


def multipart_request(name, serializer_class=None, files=()):
    """Schema of a multipart body: token (+ userID) + the serializer's fields + binary file fields."""
    fields = dict(AUTH_FIELDS)
    if serializer_class is not None:
        fields.update(serializer_class().get_fields())
    fields.update({field: serializers.FileField() for field in files})
    return {"multipart/form-data": inline_serializer(name, fields)}

"""Serializer fields shared by the apps."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def epoch_ms(value):
    return int(value.timestamp() * 1000) if value else None


@extend_schema_field({"type": "integer", "format": "int64", "nullable": True})
class EpochMsField(serializers.Field):
    """A datetime rendered as epoch milliseconds (CONTRACT §4)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return epoch_ms(value)


class NullIfBlankCharField(serializers.CharField):
    """Stored as "" when unset, shown as null as in the seed's examples."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value or None


class StrictCharField(serializers.CharField):
    """A string input that refuses numbers, lists and objects instead of silently converting them."""

    default_error_messages = {"invalid": "须为字符串"}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)

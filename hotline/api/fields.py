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
    """A string input; numbers are read as their text (the seed types some text fields as Number),
    booleans, lists and objects are refused instead of being silently converted."""

    default_error_messages = {"invalid": "须为字符串"}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        return super().to_internal_value(str(data))


class RecordSerializer(serializers.Serializer):
    """The bookkeeping keys every hotline object carries in the seed (both spellings of createTime)."""

    id = serializers.CharField()
    createTime = EpochMsField(source="created_at")
    createdTime = EpochMsField(source="created_at")
    creator = serializers.CharField(source="creator_id", allow_null=True)
    lastUpdateTime = EpochMsField(source="updated_at")
    lastUpdater = serializers.CharField(source="last_updater_id", allow_null=True)

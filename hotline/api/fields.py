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

    @staticmethod
    def record(instance):
        """The bookkeeping keys of `instance`, as the fields above render them (for `HandBuilt.built`)."""
        created = epoch_ms(instance.created_at)
        creator = instance.creator_id
        updater = instance.last_updater_id
        return {
            "id": str(instance.pk),
            "createTime": created,
            "createdTime": created,
            "creator": None if creator is None else str(creator),
            "lastUpdateTime": epoch_ms(instance.updated_at),
            "lastUpdater": None if updater is None else str(updater),
        }


class HandBuilt:
    """A serializer whose JSON is built by hand in `built(instance)` (performance, issue 13): on a list
    page DRF's generic walk (per declared field: attribute lookup, `to_representation`) was most of the
    rendering time. The declared fields stay the API's schema (drf-spectacular reads them);
    `tests/platform/test_hand_built.py` holds `built` equal, key for key and in order, to DRF's walk
    (`fields_representation`) over varied rows, so the two cannot drift.

    Put it first among the bases. A subclass that declares more fields builds its own `built` (usually
    the parent's plus its keys); one that does not falls back to DRF's walk, so a new field is never
    silently left out."""

    hand_built = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.hand_built = "built" in cls.__dict__

    def to_representation(self, instance):
        if type(self).hand_built:
            return self.built(instance)
        return super().to_representation(instance)

    def fields_representation(self, instance):
        """DRF's generic rendering over the declared fields: the reference `built` is tested against."""
        return super().to_representation(instance)

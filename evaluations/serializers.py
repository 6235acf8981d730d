from rest_framework import serializers

from hotline.api.fields import EpochMsField, StrictCharField


class EvaluateTarget(serializers.Serializer):
    """Read first: the duplicate check runs before the other fields are validated (CONTRACT §12)."""

    conversationId = StrictCharField(max_length=32)


class EvaluateIn(EvaluateTarget):
    objectType = serializers.ChoiceField(choices=["CONVERSATION"], required=False, default="CONVERSATION")
    level = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, default=None, help_text="optional"
    )
    content = StrictCharField(max_length=1000, required=False, allow_blank=True, allow_null=True, default="")


class EvaluationSerializer(serializers.Serializer):
    id = serializers.CharField()
    createTime = EpochMsField(source="created_at")
    createdTime = EpochMsField(source="created_at")
    creator = serializers.CharField(source="creator_id")
    lastUpdateTime = EpochMsField(source="updated_at")
    lastUpdater = serializers.CharField(default=None, allow_null=True)
    objectType = serializers.CharField(source="object_type")
    content = serializers.CharField()
    level = serializers.IntegerField(allow_null=True)

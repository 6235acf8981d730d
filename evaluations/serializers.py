from rest_framework import serializers

from conversations.serializers import EvaluationSerializer
from hotline.api.fields import StrictCharField

__all__ = ["EvaluateIn", "EvaluationSerializer"]


class EvaluateTarget(serializers.Serializer):
    """Read first: the duplicate check runs before the other fields are validated (CONTRACT §12)."""

    conversationId = StrictCharField(max_length=32)


class EvaluateIn(EvaluateTarget):
    objectType = serializers.ChoiceField(choices=["CONVERSATION"], required=False, default="CONVERSATION")
    level = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, default=None, help_text="optional"
    )
    content = StrictCharField(max_length=1000, required=False, allow_blank=True, allow_null=True, default="")

from rest_framework import serializers

from conversations.serializers import EvaluationSerializer
from hotline.api.fields import StrictCharField

__all__ = ["EvaluateIn", "EvaluationSerializer"]


class EvaluateIn(serializers.Serializer):
    conversationId = StrictCharField(max_length=32)
    objectType = serializers.ChoiceField(choices=["CONVERSATION"], required=False, default="CONVERSATION")
    level = serializers.IntegerField(min_value=1, max_value=5)
    content = StrictCharField(max_length=1000, required=False, allow_blank=True, allow_null=True, default="")

from rest_framework import serializers

from hotline.api.fields import EpochMsField, StrictCharField

from .models import QuickReplyScope


def _content():
    return StrictCharField(min_length=1, max_length=500, trim_whitespace=True)


class QuickReplyIn(serializers.Serializer):
    content = _content()
    scope = serializers.ChoiceField(choices=QuickReplyScope.choices, default=QuickReplyScope.PERSONAL)


class QuickReplyEditIn(serializers.Serializer):
    content = _content()


class QuickReplyOut(serializers.Serializer):
    id = serializers.CharField()
    content = serializers.CharField()
    scope = serializers.ChoiceField(choices=QuickReplyScope.choices)
    createTime = EpochMsField(source="created_at")


def render(reply):
    """A model instance or a `.values()` row."""
    row = (
        reply
        if isinstance(reply, dict)
        else {
            "id": reply.pk,
            "content": reply.content,
            "scope": reply.scope,
            "created_at": reply.created_at,
        }
    )
    return QuickReplyOut(row).data

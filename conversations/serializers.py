from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.api.fields import EpochMsField, RecordSerializer, StrictCharField, epoch_ms
from hotline.limits import MAX_MS
from users.serializers import UserSerializer

from .constants import ConversationStatus, ConversationType
from .models import OPEN_STATUSES


class StartIn(serializers.Serializer):
    counselor = StrictCharField(max_length=32)


class SuperviseIn(serializers.Serializer):
    supervise = StrictCharField(max_length=32)
    conversationId = StrictCharField(max_length=32)


class ConsultListQuery(serializers.Serializer):
    visitorName = serializers.CharField(required=False, allow_blank=True)
    counselorName = serializers.CharField(required=False, allow_blank=True)
    startTime = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MS)
    endTime = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MS)
    status = serializers.ChoiceField(choices=ConversationStatus.choices, required=False)
    conversationType = serializers.ChoiceField(choices=ConversationType.choices, required=False)
    property = serializers.CharField(required=False, default="startTime")
    direction = serializers.CharField(required=False, default="desc")
    page = serializers.IntegerField(required=False, min_value=0)
    size = serializers.IntegerField(required=False, min_value=0)


class EvaluationSerializer(serializers.Serializer):
    """A visitor's rating, as `/evaluate` answers it and as the conversation JSON embeds it (`evaluate`).
    Defined here, below the evaluations app, because the conversation JSON shows it."""

    id = serializers.CharField()
    createTime = EpochMsField(source="created_at")
    createdTime = EpochMsField(source="created_at")
    creator = serializers.CharField(source="creator_id")
    lastUpdateTime = EpochMsField(source="updated_at")
    lastUpdater = serializers.CharField(default=None, allow_null=True)
    objectType = serializers.CharField(source="object_type")
    content = serializers.CharField()
    level = serializers.IntegerField(allow_null=True)


class ConversationSerializer(RecordSerializer):
    """The conversation JSON of the seed (§26–29), plus `queuePosition`."""

    startTime = serializers.SerializerMethodField()
    endTime = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    duration = serializers.SerializerMethodField()
    conversationType = serializers.CharField(source="type")
    conversationId = serializers.CharField(source="parent_id", allow_null=True)
    conversationIds = serializers.SerializerMethodField()
    tencentID = serializers.CharField(
        source="user.username", help_text="IM identifier of the conversation's user"
    )
    avatarUrl = serializers.SerializerMethodField()
    visitorName = serializers.SerializerMethodField()
    evaluate = serializers.SerializerMethodField()
    queuePosition = serializers.SerializerMethodField()
    user = serializers.SerializerMethodField()
    counselor = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField(help_text="ms; 0 until the conversation starts"))
    def get_startTime(self, conversation):
        return epoch_ms(conversation.start_time) or 0

    @extend_schema_field(serializers.IntegerField(help_text="ms; 0 while open"))
    def get_endTime(self, conversation):
        return epoch_ms(getattr(conversation, "shown_end_time", conversation.end_time)) or 0

    @extend_schema_field(serializers.CharField())
    def get_status(self, conversation):
        """An overdue IN_PROGRESS conversation reads TIME_OUT (see `selectors.shown_state`)."""
        return getattr(conversation, "shown_status", conversation.status)

    @extend_schema_field(serializers.IntegerField(help_text="ms"))
    def get_duration(self, conversation):
        return getattr(conversation, "shown_duration", conversation.duration)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_conversationIds(self, conversation):
        return [child.pk for child in conversation.supervisions.all()]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_avatarUrl(self, conversation):
        return conversation.user.avatar_url or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_visitorName(self, conversation):
        return conversation.user.name or None

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_evaluate(self, conversation):
        evaluation = getattr(conversation, "evaluation", None)
        return EvaluationSerializer(evaluation).data if evaluation is not None else None

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="0 in progress, n = n-th in line")
    )
    def get_queuePosition(self, conversation):
        return getattr(conversation, "queue_position", None)

    @extend_schema_field(UserSerializer())
    def get_user(self, conversation):
        """A visitor's contacts are shown unmasked to staff only while the session is open (`users.exposure`)."""
        open_session = self.get_status(conversation) in OPEN_STATUSES
        return UserSerializer(conversation.user, context={**self.context, "open_session": open_session}).data

    @extend_schema_field(UserSerializer())
    def get_counselor(self, conversation):
        return UserSerializer(conversation.counselor, context=self.context).data


class RankingNumberOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    gender = serializers.CharField(allow_null=True)
    number = serializers.IntegerField()


class RankingRateOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    gender = serializers.CharField(allow_null=True)
    rate = serializers.FloatField()


class CrisisResourceOut(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    hours = serializers.CharField()


class ConfigOut(serializers.Serializer):
    conversationType = serializers.DictField(child=serializers.CharField())
    userRoles = serializers.DictField(child=serializers.CharField())
    userType = serializers.DictField(child=serializers.CharField())
    conversationStatus = serializers.DictField(child=serializers.CharField())
    counselor = serializers.DictField(child=serializers.IntegerField())
    information = serializers.JSONField()
    consentVersion = serializers.IntegerField(help_text="raised whenever operators change the consent text")
    crisisResources = CrisisResourceOut(many=True)

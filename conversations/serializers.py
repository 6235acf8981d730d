from functools import cached_property

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.api.fields import EpochMsField, HandBuilt, RecordSerializer, StrictCharField, epoch_ms
from hotline.limits import MAX_MS
from users.serializers import UserSerializer

from .constants import ConversationStatus, ConversationType, RiskLevel
from .models import OPEN_STATUSES
from .selectors import attach_shown_figures


class StartIn(serializers.Serializer):
    counselor = StrictCharField(max_length=32)
    urgent = serializers.BooleanField(required=False, default=False)


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


class EvaluationSerializer(HandBuilt, serializers.Serializer):
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

    def built(self, evaluation):
        created = epoch_ms(evaluation.created_at)
        return {
            "id": str(evaluation.pk),
            "createTime": created,
            "createdTime": created,
            "creator": _text_or_none(evaluation.creator_id),
            "lastUpdateTime": epoch_ms(evaluation.updated_at),
            "lastUpdater": None,
            "objectType": _text_or_none(evaluation.object_type),
            "content": _text_or_none(evaluation.content),
            "level": None if evaluation.level is None else int(evaluation.level),
        }


def _text_or_none(value):
    return None if value is None else str(value)


class ConversationListSerializer(serializers.ListSerializer):
    """Estimates every waiting row's `estimatedWait` and loads the ids the rows list, two queries each
    for the whole list."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        attach_shown_figures(rows)
        return super().to_representation(rows)


class ConversationSerializer(HandBuilt, RecordSerializer):
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
    riskLevel = serializers.CharField(source="risk_level", help_text="NONE or HIGH")
    riskSource = serializers.SerializerMethodField()
    riskTime = serializers.SerializerMethodField()
    estimatedWait = serializers.SerializerMethodField()
    transferredFrom = serializers.CharField(source="transferred_from_id", allow_null=True)
    transferredTo = serializers.CharField(source="transferred_to_id", allow_null=True)

    class Meta:
        list_serializer_class = ConversationListSerializer

    def to_representation(self, instance):
        if not isinstance(getattr(self, "parent", None), serializers.ListSerializer):
            attach_shown_figures([instance])
        return super().to_representation(instance)

    def built(self, conversation):
        user = conversation.user
        kind = conversation.type
        parent = conversation.parent_id
        return {
            **self.record(conversation),
            "startTime": self.get_startTime(conversation),
            "endTime": self.get_endTime(conversation),
            "status": self.get_status(conversation),
            "duration": self.get_duration(conversation),
            "conversationType": None if kind is None else str(kind),
            "conversationId": None if parent is None else str(parent),
            "conversationIds": self.get_conversationIds(conversation),
            "tencentID": None if user is None else str(user.username),
            "avatarUrl": self.get_avatarUrl(conversation),
            "visitorName": self.get_visitorName(conversation),
            "evaluate": self.get_evaluate(conversation),
            "queuePosition": self.get_queuePosition(conversation),
            "user": self.get_user(conversation),
            "counselor": self.get_counselor(conversation),
            "riskLevel": str(conversation.risk_level),
            "riskSource": self.get_riskSource(conversation),
            "riskTime": self.get_riskTime(conversation),
            "estimatedWait": self.get_estimatedWait(conversation),
            "transferredFrom": _text_or_none(conversation.transferred_from_id),
            "transferredTo": _text_or_none(conversation.transferred_to_id),
        }

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="VISITOR, KEYWORD or STAFF"))
    def get_riskSource(self, conversation):
        return conversation.risk_source or None

    @extend_schema_field(serializers.IntegerField(help_text="ms; 0 when NONE"))
    def get_riskTime(self, conversation):
        return epoch_ms(conversation.risk_time) or 0

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="seconds; 0 in progress, null when closed")
    )
    def get_estimatedWait(self, conversation):
        status = self.get_status(conversation)
        if status == "IN_PROGRESS":
            return 0
        if status != "WAITING":
            return None
        return getattr(conversation, "estimated_wait", None)

    # One nested serializer per list, not per row (performance, issue 13): building a serializer's
    # fields (a deep copy of each declared field) cost more than rendering the row.
    @cached_property
    def _users(self):
        return UserSerializer(context=self.context)

    @cached_property
    def _open_session_users(self):
        return UserSerializer(context={**self.context, "open_session": True})

    @cached_property
    def _evaluations(self):
        return EvaluationSerializer()

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
        return list(conversation.supervision_ids)  # `selectors.attach_shown_figures`

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_avatarUrl(self, conversation):
        return conversation.user.avatar_url or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_visitorName(self, conversation):
        return conversation.user.name or None

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_evaluate(self, conversation):
        evaluation = getattr(conversation, "evaluation", None)
        return self._evaluations.to_representation(evaluation) if evaluation is not None else None

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="0 in progress, n = n-th in line")
    )
    def get_queuePosition(self, conversation):
        return conversation.queue_position  # `selectors.attach_shown_figures`

    @extend_schema_field(UserSerializer())
    def get_user(self, conversation):
        """A visitor's contacts are shown unmasked to staff only while the session is open or flagged at
        risk (`users.exposure`; docs/decisions.md)."""
        if self.get_status(conversation) in OPEN_STATUSES or conversation.risk_level == RiskLevel.HIGH:
            return self._open_session_users.to_representation(conversation.user)
        return self._users.to_representation(conversation.user)

    @extend_schema_field(UserSerializer())
    def get_counselor(self, conversation):
        return self._users.to_representation(conversation.counselor)


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


class RiskIn(serializers.Serializer):
    level = serializers.ChoiceField(choices=["HIGH", "NONE"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class TransferIn(serializers.Serializer):
    counselor = StrictCharField(max_length=32)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class AlertQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=["OPEN", "ACKED"], required=False)
    page = serializers.IntegerField(required=False, min_value=0)
    size = serializers.IntegerField(required=False, min_value=0)


class AlertOut(serializers.Serializer):
    id = serializers.CharField()
    conversationId = serializers.CharField(source="conversation_id")
    counselorId = serializers.CharField(source="counselor_id")
    riskSource = serializers.CharField(source="risk_source")
    createTime = EpochMsField(source="created_at")
    status = serializers.CharField()
    ackTime = serializers.SerializerMethodField()
    ackBy = serializers.SerializerMethodField()
    escalated = serializers.BooleanField()

    @extend_schema_field(serializers.IntegerField(help_text="ms; 0 while OPEN"))
    def get_ackTime(self, alert):
        return epoch_ms(alert.ack_time) or 0

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="username"))
    def get_ackBy(self, alert):
        return alert.ack_by.username if alert.ack_by_id else None


class LiveConversationSerializer(ConversationSerializer):
    """A conversation of the supervisor's live view, with its last message time and message count."""

    lastMessageTime = serializers.SerializerMethodField()
    messageCount = serializers.IntegerField(source="message_count")

    def built(self, conversation):
        return {
            **super().built(conversation),
            "lastMessageTime": self.get_lastMessageTime(conversation),
            "messageCount": int(conversation.message_count),
        }

    @extend_schema_field(serializers.IntegerField(help_text="ms; 0 when none"))
    def get_lastMessageTime(self, conversation):
        return conversation.last_message_seconds * 1000


class WaitStatisticsQuery(serializers.Serializer):
    startTime = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MS)
    endTime = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MS)


class WaitStatisticsOut(serializers.Serializer):
    sessions = serializers.IntegerField()
    waited = serializers.IntegerField()
    medianWait = serializers.IntegerField(allow_null=True, help_text="seconds")
    p90Wait = serializers.IntegerField(allow_null=True, help_text="seconds")
    abandoned = serializers.IntegerField()
    highRisk = serializers.IntegerField()
    alerts = serializers.IntegerField()
    medianAck = serializers.IntegerField(allow_null=True, help_text="seconds")

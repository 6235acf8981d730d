"""The supervisor's live view (CONTRACT §10, `GET /conversation/live`): the open sessions the caller may
see, HIGH first, then oldest first, with each one's last message time and message count. Here rather
than in conversations because the counts come from the message archive (conversations sits below)."""

from django.db.models import Case, Count, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from conversations.constants import ConversationType, RiskLevel
from conversations.models import OPEN_STATUSES
from conversations.selectors import conversations_visible_to
from conversations.serializers import LiveConversationSerializer
from hotline.api.envelope import ok, paginate
from hotline.api.errors import Forbidden
from hotline.api.inputs import validated
from hotline.api.schema import envelope, responses
from users.models import UserType
from users.permissions import IsApproved

from .models import Message

LIVE_VIEWERS = (UserType.SUPERVISOR, UserType.INSTITUTION, UserType.ADMIN)


def _of_conversation(aggregate):
    """An aggregate over the session's messages as its transcript shows them: between its two
    participants only (a message naming the session from anyone else counts for nothing)."""
    participants = Q(**{"from_account": OuterRef("user__username")}) | Q(
        **{"from_account": OuterRef("counselor__username")}
    )
    recipients = Q(**{"to_account": OuterRef("user__username")}) | Q(
        **{"to_account": OuterRef("counselor__username")}
    )
    rows = Message.objects.filter(
        participants, recipients, conversation_id=OuterRef("pk"), placeholder=False, is_revoked=False
    )
    return Subquery(
        rows.order_by().values("conversation_id").annotate(v=aggregate).values("v")[:1],
        output_field=IntegerField(),
    )


def live_sessions(actor):
    """One query for the rows (plus `conversations_base`'s prefetches and the estimated waits)."""
    return (
        conversations_visible_to(actor)
        .filter(type=ConversationType.COUNSELING_SESSION, shown_status__in=OPEN_STATUSES)
        .annotate(
            message_count=Coalesce(_of_conversation(Count("pk")), Value(0)),
            # Seconds: made milliseconds in Python (a provider's odd MsgTime must not overflow SQL).
            last_message_seconds=Coalesce(_of_conversation(Max("msg_time")), Value(0)),
            high_first=Case(
                When(risk_level=RiskLevel.HIGH, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("high_first", "risk_time", "created_at", "id")
    )


class PageQuery(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=0)
    size = serializers.IntegerField(required=False, min_value=0)


class LiveViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated, IsApproved]

    @extend_schema(
        summary="督导实时看板",
        parameters=[PageQuery],
        responses=responses(envelope("LivePageEnvelope", LiveConversationSerializer, many=True, paged=True)),
    )
    def live(self, request):
        if request.user.type not in LIVE_VIEWERS:
            raise Forbidden()
        validated(PageQuery, request.query_params)
        rows, count, next_page = paginate(live_sessions(request.user), request.query_params)
        data = LiveConversationSerializer(rows, many=True, context={"viewer": request.user}).data
        return ok(data, count=count, next_page=next_page)

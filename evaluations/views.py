"""Hotline API: evaluations (seed 000 §38 新建评价)."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from hotline.api.envelope import ok
from hotline.api.inputs import validated
from hotline.api.schema import envelope, responses
from users.permissions import IsVisitor

from .serializers import EvaluateIn, EvaluateTarget, EvaluationSerializer
from .services import check_can_evaluate, evaluation_create


# Visitors' ratings of their sessions.
class EvaluationViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated, IsVisitor]

    @extend_schema(
        summary="新建评价",
        description="`level` and `content` are optional, as the seed's example sends (CONTRACT §12); "
        "an evaluation without `level` counts in no average or ranking.",
        request=EvaluateIn,
        responses=responses(envelope("EvaluationEnvelope", EvaluationSerializer)),
    )
    def create(self, request):
        target = validated(EvaluateTarget, request.data)
        conversation = check_can_evaluate(visitor=request.user, conversation_id=target["conversationId"])
        data = validated(EvaluateIn, request.data)
        evaluation = evaluation_create(
            conversation=conversation,
            visitor=request.user,
            level=data["level"],
            content=data["content"],
        )
        return ok(EvaluationSerializer(evaluation).data)

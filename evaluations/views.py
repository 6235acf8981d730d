"""Hotline API: evaluations (seed 000 §38 新建评价)."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from hotline.api.envelope import ok
from hotline.api.inputs import validated
from hotline.api.schema import envelope, responses
from users.permissions import IsVisitor

from .serializers import EvaluateIn, EvaluationSerializer
from .services import evaluation_create


class EvaluateView(APIView):
    permission_classes = [IsAuthenticated, IsVisitor]

    @extend_schema(
        summary="新建评价",
        request=EvaluateIn,
        responses=responses(envelope("EvaluationEnvelope", EvaluationSerializer)),
    )
    def put(self, request):
        data = validated(EvaluateIn, request.data)
        evaluation = evaluation_create(
            visitor=request.user,
            conversation_id=data["conversationId"],
            level=data["level"],
            content=data["content"],
        )
        return ok(EvaluationSerializer(evaluation).data)

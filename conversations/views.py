"""Hotline API: conversations and statistics (seed 000 §26–33, §36)."""

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from hotline.api.client import client_ip
from hotline.api.envelope import ok, paginate
from hotline.api.errors import Forbidden, InvalidParam, NotFound
from hotline.api.inputs import body_or_query, query_or_body, validated
from hotline.api.schema import envelope, responses
from hotline.limits import MAX_BATCH_EXPORT
from users.audit import audit_record
from users.models import UserType
from users.permissions import IsAdministrator, IsCounselor, IsVisitor

from . import selectors, services
from .export import transcript_workbook
from .serializers import (
    ConsultListQuery,
    ConversationSerializer,
    RankingNumberOut,
    RankingRateOut,
    StartIn,
    SuperviseIn,
)

CONVERSATION_ENVELOPE = envelope("ConversationEnvelope", ConversationSerializer)
OK_ENVELOPE = envelope("OkEnvelope")


def render(conversation, viewer):
    fresh = selectors.conversations_base().get(pk=conversation.pk)
    return ConversationSerializer(fresh, context={"viewer": viewer}).data


class ConversationStartView(APIView):
    permission_classes = [IsAuthenticated, IsVisitor]

    @extend_schema(
        summary="创建会话 (繁忙时排队等待)", request=StartIn, responses=responses(CONVERSATION_ENVELOPE)
    )
    def put(self, request):
        data = validated(StartIn, request.data)
        conversation = services.conversation_start(visitor=request.user, counselor_id=data["counselor"])
        return ok(render(conversation, request.user))


class ConversationEndView(APIView):
    @extend_schema(summary="结束会话", request=None, responses=responses(OK_ENVELOPE))
    def post(self, request, conversation_id):
        conversation = selectors.access_conversation(request.user, conversation_id)
        services.check_can_end(request.user, conversation)
        services.conversation_end(actor=request.user, conversation=conversation)
        return ok("ok")


class SuperviseView(APIView):
    permission_classes = [IsAuthenticated, IsCounselor]

    @extend_schema(
        summary="请求督导",
        parameters=[SuperviseIn],
        request=SuperviseIn,
        responses=responses(CONVERSATION_ENVELOPE),
    )
    def put(self, request):
        data = validated(SuperviseIn, body_or_query(request))
        conversation = selectors.access_conversation(request.user, data["conversationId"])
        if conversation.counselor_id != request.user.pk:
            raise NotFound("会话不存在")
        services.supervision_request(
            counselor=request.user, conversation=conversation, supervisor_id=data["supervise"]
        )
        # The supervised session itself, its `conversationIds` ending with the new supervision (CONTRACT §5).
        return ok(render(conversation, request.user))


class ConsultListView(APIView):
    @extend_schema(
        summary="咨询记录",
        description="The parameters may also come as a JSON body on the GET, as the original console sends "
        "them (CONTRACT §12); the query string wins where both give a value.",
        parameters=[ConsultListQuery],
        responses=responses(
            envelope("ConversationPageEnvelope", ConversationSerializer, many=True, paged=True)
        ),
    )
    def get(self, request):
        if request.user.type == UserType.VISITOR:
            raise Forbidden()
        params = query_or_body(request)
        query = validated(ConsultListQuery, params)
        queryset = selectors.consult_list(
            request.user,
            visitor_name=query.get("visitorName"),
            counselor_name=query.get("counselorName"),
            start_ms=query.get("startTime"),
            end_ms=query.get("endTime"),
            status=query.get("status"),
            conversation_type=query.get("conversationType"),
            sort_property=query["property"],
            direction=query["direction"],
        )
        rows, count, next_page = paginate(queryset, params)
        data = ConversationSerializer(rows, many=True, context={"viewer": request.user}).data
        return ok(data, count=count, next_page=next_page)


class CurrentView(APIView):
    permission_classes = [IsAuthenticated, IsVisitor]

    @extend_schema(
        summary="获取小程序当前用户的会话",
        responses=responses(envelope("CurrentEnvelope", ConversationSerializer(allow_null=True))),
    )
    def get(self, request):
        conversation = selectors.current_for_visitor(request.user)
        if conversation is None:
            return ok(None)
        return ok(ConversationSerializer(conversation, context={"viewer": request.user}).data)


class ConversationDeleteView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(summary="删除会话", responses=responses(OK_ENVELOPE))
    def delete(self, request, conversation_id):
        conversation = selectors.access_conversation(request.user, conversation_id)
        services.conversation_delete(actor=request.user, conversation=conversation, ip=client_ip(request))
        return ok("ok")


class SevenDayView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(
        summary="七日咨询数量统计",
        responses=responses(
            envelope("SevenDayEnvelope", serializers.DictField(child=serializers.IntegerField()))
        ),
    )
    def get(self, request):
        return ok(selectors.seven_day_counts(request.user))


class TodayChangeView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(
        summary="今日咨询数量变化",
        responses=responses(
            envelope("TodayChangeEnvelope", serializers.DictField(child=serializers.IntegerField()))
        ),
    )
    def get(self, request):
        return ok(selectors.today_hourly_counts(request.user))


class NumberRankingView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(
        summary="当月咨询数排行",
        responses=responses(envelope("NumberRankingEnvelope", RankingNumberOut, many=True)),
    )
    def get(self, request):
        return ok(selectors.number_ranking(request.user))


class RatedRankingView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(
        summary="当月评价排行",
        responses=responses(envelope("RatedRankingEnvelope", RankingRateOut, many=True)),
    )
    def get(self, request):
        return ok(selectors.rated_ranking(request.user))


def _xlsx_response(workbook_file, filename):
    return FileResponse(
        workbook_file,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


XLSX_RESPONSE = {
    (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes,
    **{status: schema for status, schema in responses(OK_ENVELOPE).items() if status != 200},
}


class ExportView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(summary="会话导出 (xlsx)", request=None, responses=XLSX_RESPONSE)
    def get(self, request, conversation_id):
        conversation = selectors.access_conversation(request.user, conversation_id)
        workbook = transcript_workbook([conversation])
        audit_record(
            actor=request.user,
            action="conversation.export",
            object_type="conversation",
            object_ids=[conversation.pk],
            ip=client_ip(request),
        )
        return _xlsx_response(workbook, f"conversation-{conversation.pk}.xlsx")

    @extend_schema(summary="会话导出 (xlsx)", request=None, responses=XLSX_RESPONSE)
    def post(self, request, conversation_id):
        return self.get(request, conversation_id)


class BatchExportView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(
        summary="批量导出 (xlsx，每个会话一个工作表)",
        request={
            "application/json": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_BATCH_EXPORT}
        },
        responses=XLSX_RESPONSE,
    )
    def post(self, request):
        ids = request.data.get("ids") if isinstance(request.data, dict) else request.data
        if not isinstance(ids, list) or not ids:
            raise InvalidParam("请求体须为会话id数组")
        if len(ids) > MAX_BATCH_EXPORT or not all(isinstance(item, str) for item in ids):
            raise InvalidParam(f"请求体须为不超过{MAX_BATCH_EXPORT}个会话id的字符串数组")
        ids = list(dict.fromkeys(ids))
        services.conversations_expire()
        found = {c.pk: c for c in selectors.conversations_visible_to(request.user).filter(pk__in=ids)}
        missing = [item for item in ids if item not in found]
        if missing:
            raise NotFound(f"会话不存在: {', '.join(missing[:10])}")
        conversations = [found[item] for item in ids]
        workbook = transcript_workbook(conversations)
        audit_record(
            actor=request.user,
            action="conversation.batchexport",
            object_type="conversation",
            object_ids=ids,
            ip=client_ip(request),
        )
        return _xlsx_response(workbook, f"conversations-{len(ids)}.xlsx")

"""Hotline API: conversations and statistics (seed 000 §26–33, §36)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from hotline.api.client import client_ip
from hotline.api.envelope import ok, paginate
from hotline.api.errors import Forbidden
from hotline.api.inputs import body_or_query, query_or_body, validated
from hotline.api.permissions import PublicMixin
from hotline.api.schema import envelope, responses
from users.consent import ConsentGiven, crisis_resources, current_consent_version
from users.models import ROLE_LABELS, UserType
from users.permissions import ActionPermissions, IsAdministrator, IsApproved, IsCounselor, IsVisitor
from users.selectors import consent_information

from . import care, selectors, services
from .constants import ConversationStatus, ConversationType
from .serializers import (
    AlertOut,
    AlertQuery,
    ConfigOut,
    ConsultListQuery,
    ConversationSerializer,
    RankingNumberOut,
    RankingRateOut,
    RiskIn,
    StartIn,
    SuperviseIn,
    TransferIn,
    WaitStatisticsOut,
    WaitStatisticsQuery,
)

CONVERSATION_ENVELOPE = envelope("ConversationEnvelope", ConversationSerializer)
OK_ENVELOPE = envelope("OkEnvelope")


def render(conversation_id, viewer):
    fresh = selectors.conversations_base().get(pk=conversation_id)
    return ConversationSerializer(fresh, context={"viewer": viewer}).data


# Conversations: a visitor starts one, either side ends it, the counsellor calls in a supervisor,
# staff read the records, administrators delete.
class ConversationViewSet(ActionPermissions, viewsets.ViewSet):
    # Every action shows or touches visitors' conversations: an account pending approval gets 403.
    permission_classes = [IsAuthenticated, IsApproved]
    action_permissions = {
        "start": [IsAuthenticated, IsVisitor, ConsentGiven],
        "current": [IsAuthenticated, IsVisitor],
        "supervise": [IsAuthenticated, IsCounselor, IsApproved],
        "delete": [IsAuthenticated, IsAdministrator],
    }

    @extend_schema(
        summary="创建会话 (繁忙时排队等待)", request=StartIn, responses=responses(CONVERSATION_ENVELOPE)
    )
    def start(self, request):
        data = validated(StartIn, request.data)
        conversation = services.conversation_start(
            visitor=request.user, counselor_id=data["counselor"], urgent=data["urgent"]
        )
        return ok(render(conversation.pk, request.user))

    @extend_schema(summary="标记或解除高危", request=RiskIn, responses=responses(CONVERSATION_ENVELOPE))
    def risk(self, request, conversation_id):
        if request.user.type == UserType.VISITOR:
            raise Forbidden()
        data = validated(RiskIn, request.data)
        care.set_risk(
            actor=request.user,
            conversation_id=conversation_id,
            level=data["level"],
            note=data["note"],
            ip=client_ip(request),
        )
        return ok(render(conversation_id, request.user))

    @extend_schema(summary="转介会话", request=TransferIn, responses=responses(CONVERSATION_ENVELOPE))
    def transfer(self, request, conversation_id):
        if request.user.type == UserType.VISITOR:
            raise Forbidden()
        data = validated(TransferIn, request.data)
        new = care.transfer(
            actor=request.user,
            conversation_id=conversation_id,
            counselor_id=data["counselor"],
            note=data["note"],
            ip=client_ip(request),
        )
        return ok(render(new.pk, request.user))

    @extend_schema(summary="结束会话", request=None, responses=responses(OK_ENVELOPE))
    def end(self, request, conversation_id):
        services.conversation_end(actor=request.user, conversation_id=conversation_id)
        return ok("ok")

    @extend_schema(
        summary="请求督导",
        parameters=[SuperviseIn],
        request=SuperviseIn,
        responses=responses(CONVERSATION_ENVELOPE),
    )
    def supervise(self, request):
        data = validated(SuperviseIn, body_or_query(request))
        services.supervision_request(
            counselor=request.user, conversation_id=data["conversationId"], supervisor_id=data["supervise"]
        )
        # The supervised session itself, its `conversationIds` ending with the new supervision (CONTRACT §5).
        return ok(render(data["conversationId"], request.user))

    @extend_schema(
        summary="咨询记录",
        description="The parameters may also come as a JSON body on the GET, as the original console sends "
        "them (CONTRACT §12); the query string wins where both give a value.",
        parameters=[ConsultListQuery],
        responses=responses(
            envelope("ConversationPageEnvelope", ConversationSerializer, many=True, paged=True)
        ),
    )
    def consultlist(self, request):
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
        rows, count, next_page = paginate(
            queryset,
            params,
            count_cap=settings.LIST_COUNT_CAP,
            load=lambda keys: selectors.conversations_in_order(request.user, keys),
            count_key=(
                "consultlist",
                request.user.pk,
                tuple(sorted((k, v) for k, v in query.items() if k not in ("page", "size"))),
            ),
        )
        data = ConversationSerializer(rows, many=True, context={"viewer": request.user}).data
        return ok(data, count=count, next_page=next_page)

    @extend_schema(
        summary="获取小程序当前用户的会话",
        responses=responses(envelope("CurrentEnvelope", ConversationSerializer(allow_null=True))),
    )
    def current(self, request):
        conversation = selectors.current_for_visitor(request.user)
        if conversation is None:
            return ok(None)
        return ok(ConversationSerializer(conversation, context={"viewer": request.user}).data)

    @extend_schema(summary="删除会话", responses=responses(OK_ENVELOPE))
    def delete(self, request, conversation_id):
        services.conversation_delete(
            actor=request.user, conversation_id=conversation_id, ip=client_ip(request)
        )
        return ok("ok")


def _counts(name):
    return responses(envelope(name, serializers.DictField(child=serializers.IntegerField())))


# Administrators' figures, scoped to their institution and aggregated in the database.
class StatisticsViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(summary="七日咨询数量统计", responses=_counts("SevenDayEnvelope"))
    def seven_days(self, request):
        return ok(selectors.seven_day_counts(request.user))

    @extend_schema(summary="今日咨询数量变化", responses=_counts("TodayChangeEnvelope"))
    def today_by_hour(self, request):
        return ok(selectors.today_hourly_counts(request.user))

    @extend_schema(
        summary="当月咨询数排行",
        responses=responses(envelope("NumberRankingEnvelope", RankingNumberOut, many=True)),
    )
    def number_ranking(self, request):
        return ok(selectors.number_ranking(request.user))

    @extend_schema(
        summary="等待与安全统计",
        parameters=[WaitStatisticsQuery],
        responses=responses(envelope("WaitStatisticsEnvelope", WaitStatisticsOut)),
    )
    def wait_statistics(self, request):
        query = validated(WaitStatisticsQuery, request.query_params)
        return ok(
            selectors.wait_statistics(
                request.user, start_ms=query.get("startTime"), end_ms=query.get("endTime")
            )
        )

    @extend_schema(
        summary="当月评价排行",
        responses=responses(envelope("RatedRankingEnvelope", RankingRateOut, many=True)),
    )
    def rated_ranking(self, request):
        return ok(selectors.rated_ranking(request.user))


# Crisis alerts (CONTRACT §10): supervisors and administrators, scoped like the sessions.
class AlertViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated, IsApproved]

    @extend_schema(
        summary="危机预警列表",
        parameters=[AlertQuery],
        responses=responses(envelope("AlertPageEnvelope", AlertOut, many=True, paged=True)),
    )
    def list(self, request):
        params = request.query_params
        query = validated(AlertQuery, params)
        queryset = care.alerts_visible_to(request.user).select_related("ack_by")
        if query.get("status"):
            queryset = queryset.filter(status=query["status"])
        rows, count, next_page = paginate(queryset.order_by("-created_at", "-id"), params)
        return ok(AlertOut(rows, many=True).data, count=count, next_page=next_page)

    @extend_schema(
        summary="确认危机预警", request=None, responses=responses(envelope("AlertEnvelope", AlertOut))
    )
    def ack(self, request, alert_id):
        alert = care.alert_ack(actor=request.user, alert_id=alert_id)
        return ok(AlertOut(alert).data)


# The vocabularies of every app (conversations is the highest app they belong to).
class ConfigViewSet(PublicMixin, viewsets.ViewSet):
    @extend_schema(
        summary="获取配置项", responses=responses(envelope("ConfigEnvelope", ConfigOut), errors=())
    )
    def show(self, request):
        return ok(
            {
                "conversationType": dict(ConversationType.choices),
                "userRoles": dict(ROLE_LABELS),
                "userType": dict(UserType.choices),
                "conversationStatus": dict(ConversationStatus.choices),
                "counselor": {"maxConsults": settings.DEFAULT_MAX_CONSULTS},
                "information": consent_information(),
                "consentVersion": current_consent_version(),
                "crisisResources": crisis_resources(),
            }
        )

"""Hotline API: duty schedule (seed 000 §22–25)."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from hotline.api.envelope import ok, paginate
from hotline.api.inputs import validated
from hotline.api.schema import envelope, responses
from hotline.api.timeutil import local_date_of_ms
from users.permissions import IsAdministrator

from . import selectors, services
from .serializers import ArrangeBatchIn, ArrangeIn, ArrangementSerializer, TheDayQuery, TheDaySerializer


class ArrangeView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(
        summary="创建排班",
        request=ArrangeIn,
        responses=responses(envelope("ArrangementListEnvelope", ArrangementSerializer, many=True)),
    )
    def put(self, request):
        data = validated(ArrangeIn, request.data)
        rows = services.arrangement_create(
            actor=request.user,
            day=local_date_of_ms(data["timestamp"]),
            user_ids=data["users"],
            duty_type=data["type"],
        )
        return ok(ArrangementSerializer(rows, many=True).data)


class ArrangeBatchView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(
        summary="批量排班 (每周)", request=ArrangeBatchIn, responses=responses(envelope("OkEnvelope"))
    )
    def post(self, request):
        data = validated(ArrangeBatchIn, request.data)
        services.weekly_duty_set(
            actor=request.user, user_id=data["user"], weekdays=data["weekDays"], duty_type=data["userType"]
        )
        return ok("ok")


class TheDayView(APIView):
    @extend_schema(
        summary="获取当天的值班人员",
        parameters=[TheDayQuery],
        responses=responses(envelope("TheDayEnvelope", TheDaySerializer, many=True, paged=True)),
    )
    def get(self, request):
        query = validated(TheDayQuery, request.query_params)
        day = local_date_of_ms(query["timestamp"])
        users = selectors.theday_users(request.user, day, duty_type=query["type"], state=query.get("state"))
        page, count, next_page = paginate(users, request.query_params)
        rows = selectors.theday_rows(page, day)
        return ok(TheDaySerializer(rows, many=True).data, count=count, next_page=next_page)


class ArrangementDeleteView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(summary="移除排班记录", responses=responses(envelope("OkEnvelope")))
    def delete(self, request, arrangement_id):
        duty_day = selectors.access_duty_day(request.user, arrangement_id)
        services.arrangement_remove(actor=request.user, duty_day=duty_day)
        return ok("ok")

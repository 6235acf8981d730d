"""Hotline API: duty schedule (seed 000 §22–25)."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from hotline.api.client import client_ip
from hotline.api.envelope import ok, page_params
from hotline.api.inputs import validated
from hotline.api.schema import envelope, responses
from hotline.api.timeutil import local_date_of_ms
from users.permissions import ActionPermissions, IsAdministrator

from . import selectors, services
from .serializers import (
    ArrangeBatchIn,
    ArrangeIn,
    ArrangementSerializer,
    TheDayQuery,
    TheDaySerializer,
    theday_row,
)


# Duty: administrators arrange days and weekly duty and take a day off; everyone signed in sees
# who is on duty on a day.
class DutyViewSet(ActionPermissions, viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    action_permissions = {
        "arrange": [IsAuthenticated, IsAdministrator],
        "set_weekly": [IsAuthenticated, IsAdministrator],
        "remove_day": [IsAuthenticated, IsAdministrator],
    }

    @extend_schema(
        summary="创建排班",
        request=ArrangeIn,
        responses=responses(envelope("ArrangementListEnvelope", ArrangementSerializer, many=True)),
    )
    def arrange(self, request):
        data = validated(ArrangeIn, request.data)
        rows = services.arrangement_create(
            actor=request.user,
            day=local_date_of_ms(data["timestamp"]),
            user_ids=data["users"],
            duty_type=data["type"],
        )
        return ok(ArrangementSerializer(rows, many=True).data)

    @extend_schema(
        summary="批量排班 (每周)", request=ArrangeBatchIn, responses=responses(envelope("OkEnvelope"))
    )
    def set_weekly(self, request):
        data = validated(ArrangeBatchIn, request.data)
        services.weekly_duty_set(
            actor=request.user, user_id=data["user"], weekdays=data["weekDays"], duty_type=data["userType"]
        )
        return ok("ok")

    @extend_schema(
        summary="获取当天的值班人员",
        parameters=[TheDayQuery],
        responses=responses(envelope("TheDayEnvelope", TheDaySerializer, many=True, paged=True)),
    )
    def theday(self, request):
        query = validated(TheDayQuery, request.query_params)
        day = local_date_of_ms(query["timestamp"])
        page, size = page_params(request.query_params)
        rows, count, next_page = selectors.theday_page(
            request.user, day, duty_type=query["type"], state=query.get("state"), page=page, size=size
        )
        return ok([theday_row(row) for row in rows], count=count, next_page=next_page)

    @extend_schema(summary="移除排班记录", responses=responses(envelope("OkEnvelope")))
    def remove_day(self, request, arrangement_id):
        services.arrangement_remove(actor=request.user, row_id=arrangement_id, ip=client_ip(request))
        return ok("ok")

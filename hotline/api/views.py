"""Plumbing endpoints: health and the JSON answer for unknown paths."""

from django.db import DatabaseError, connection
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from .envelope import error_response, ok
from .errors import ApiError
from .exceptions import drop_broken_connections
from .permissions import PublicMixin


class HealthView(PublicMixin, APIView):
    @extend_schema(
        summary="存活与数据库检查",
        responses={
            200: inline_serializer(
                "HealthEnvelope",
                {
                    "code": serializers.IntegerField(),
                    "message": serializers.CharField(),
                    "result": inline_serializer("Health", {"database": serializers.CharField()}),
                },
            )
        },
    )
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            drop_broken_connections()  # the next probe connects afresh
            raise ApiError("数据库不可用", status=503, code=-1) from None
        return ok({"database": "ok"})


@csrf_exempt
def not_found(request, *args, **kwargs):
    return error_response(request.path, 404, -4, f"接口不存在: {request.path}")


def bad_request(request, exception=None):
    return error_response(request.path, 400, -2, "请求格式不正确")


def permission_denied(request, exception=None):
    return error_response(request.path, 403, -5, "无权访问")


def server_error(request):
    return error_response(request.path, 500, -1, "未知错误")

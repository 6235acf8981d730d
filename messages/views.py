"""Hotline API: IM identity (seed 000 §37)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from hotline.api.envelope import ok
from hotline.api.errors import ApiError
from hotline.api.schema import envelope, responses

from .usersig import gen_usersig


class ImSignView(APIView):
    @extend_schema(
        summary="获取UserSig",
        request=None,
        responses=responses(envelope("UserSigEnvelope", serializers.CharField()), errors=(401, 503)),
    )
    def post(self, request):
        if not settings.TIM_SDKAPPID or not settings.TIM_SECRET_KEY:
            raise ApiError("即时通信服务未配置（TIM_SDKAPPID / TIM_SECRET_KEY）", status=503, code=-1)
        try:
            sdkappid = int(settings.TIM_SDKAPPID)
        except ValueError:
            raise ApiError("即时通信服务配置错误：TIM_SDKAPPID 须为数字", status=503, code=-1) from None
        return ok(
            gen_usersig(
                request.user.username, sdkappid, settings.TIM_SECRET_KEY, settings.USERSIG_EXPIRE_SECONDS
            )
        )

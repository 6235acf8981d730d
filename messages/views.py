"""Hotline API: IM identity (§37), the IM callback and transcripts (§38 消息相关API), files."""

import logging
import re

from django.conf import settings
from django.db import DatabaseError
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from hotline.api.client import client_ip
from hotline.api.converters import HexIdConverter
from hotline.api.envelope import error_response, ok, page_params
from hotline.api.errors import (
    ApiError,
    Forbidden,
    InvalidParam,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
)
from hotline.api.inputs import validated
from hotline.api.permissions import PublicMixin
from hotline.api.schema import envelope, responses
from hotline.limits import CHAT_FILE_MAX_BYTES, MAX_BATCH_EXPORT, MULTIPART_OVERHEAD_BYTES
from users.audit import audit_read
from users.permissions import ActionPermissions, IsAdministrator, IsApproved
from users.scoping import may_download_file

from . import callbacks, files, services
from .im_accounts import ensure_im_account
from .models import ChatFile, ChatFileLink
from .selectors import transcript_of, transcript_page
from .usersig import gen_usersig
from .webshape import web_message

logger = logging.getLogger(__name__)
OK_ENVELOPE_SCHEMA = envelope("OkEnvelope")
XLSX_RESPONSE = {
    (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes,
    **{status: schema for status, schema in responses(OK_ENVELOPE_SCHEMA).items() if status != 200},
}
TENCENT_OK = {"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0}
TencentAnswer = inline_serializer(
    "TencentCallbackAnswer",
    {
        "ActionStatus": serializers.CharField(),
        "ErrorInfo": serializers.CharField(),
        "ErrorCode": serializers.IntegerField(),
    },
)


# The caller's identity on the IM service. An account pending approval (self-registered, or its approval
# withdrawn) gets no UserSig: it would let it chat with visitors it may not serve (CONTRACT §9, §11).
class ImViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated, IsApproved]

    @extend_schema(
        summary="获取UserSig",
        request=None,
        responses=responses(envelope("UserSigEnvelope", serializers.CharField()), errors=(401, 403, 503)),
    )
    def sign(self, request):
        # Authentication already refuses such a user's token; a UserSig must never be minted for one
        # even if another way in (a session, a future authenticator) lets the request through.
        if not request.user.is_active:
            raise Forbidden("账号已被禁用、删除或注销，无法获取即时通信签名")
        if not settings.TIM_SDKAPPID or not settings.TIM_SECRET_KEY:
            raise ApiError("即时通信服务未配置（TIM_SDKAPPID / TIM_SECRET_KEY）", status=503, code=-1)
        try:
            sdkappid = int(settings.TIM_SDKAPPID)
        except ValueError:
            raise ApiError("即时通信服务配置错误：TIM_SDKAPPID 须为数字", status=503, code=-1) from None
        ensure_im_account(request.user)
        return ok(
            gen_usersig(
                request.user.username, sdkappid, settings.TIM_SECRET_KEY, settings.USERSIG_EXPIRE_SECONDS
            )
        )


class CallbackViewSet(PublicMixin, viewsets.ViewSet):
    """Tencent IM posts here; authenticated by SdkAppid and, when configured, Sign/RequestTime."""

    @extend_schema(
        summary="消息回调 (Tencent IM)",
        parameters=[
            OpenApiParameter("SdkAppid", str, required=True),
            OpenApiParameter("CallbackCommand", str, required=True),
            OpenApiParameter("contenttype", str),
            OpenApiParameter("ClientIP", str),
            OpenApiParameter("OptPlatform", str),
            OpenApiParameter("Sign", str),
            OpenApiParameter("RequestTime", str),
        ],
        request={"application/json": {"type": "object", "additionalProperties": True}},
        responses={200: TencentAnswer, 400: TencentAnswer, 403: TencentAnswer, 500: TencentAnswer},
    )
    def receive(self, request):
        callbacks.check_callback_auth(request.query_params)
        data = callbacks.parse_body(request.body)
        command = data.get("CallbackCommand") or request.query_params.get("CallbackCommand", "")
        delivery = callbacks.delivery_of(request.query_params, request.body)
        try:
            callbacks.apply_callback(command, data, delivery)
        except DatabaseError:
            logger.exception("IM callback %s could not be stored; the provider will be told FAIL", command)
            return error_response(request.path, 500, -1, "storage failure")
        return Response(TENCENT_OK)


class WebMessagesQuery(serializers.Serializer):
    conversationId = serializers.CharField(max_length=32)
    page = serializers.IntegerField(required=False, min_value=0)
    size = serializers.IntegerField(required=False, min_value=0)


class WebMessageOut(serializers.Serializer):
    ID = serializers.CharField()
    conversationID = serializers.CharField()
    conversationType = serializers.CharField()
    type = serializers.CharField()
    payload = serializers.DictField()
    elements = serializers.ListField(child=serializers.DictField())
    to = serializers.CharField()
    time = serializers.IntegerField(help_text="seconds")
    flow = serializers.ChoiceField(choices=["in", "out"])
    status = serializers.CharField()
    priority = serializers.CharField()
    avatar = serializers.CharField()
    nick = serializers.CharField()
    isRevoked = serializers.BooleanField()
    isDeleted = serializers.BooleanField()
    isModified = serializers.BooleanField()
    isPeerRead = serializers.BooleanField()
    cloudCustomData = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField()
        return fields


# Reading the message archive: a transcript in the web SDK's shape, and xlsx exports.
class MessageViewSet(ActionPermissions, viewsets.ViewSet):
    # transcripts are visitors' words: an account pending approval (or withdrawn) reads none
    permission_classes = [IsAuthenticated, IsApproved]
    action_permissions = {
        "export": [IsAuthenticated, IsAdministrator],
        "batch_export": [IsAuthenticated, IsAdministrator],
    }

    @extend_schema(
        summary="根据会话提取web转化后的消息",
        parameters=[WebMessagesQuery],
        responses=responses(envelope("WebMessagesEnvelope", WebMessageOut, many=True, paged=True)),
    )
    def transcript(self, request):
        conversation_id = validated(WebMessagesQuery, request.query_params)["conversationId"]
        conversation, own = transcript_of(request.user, conversation_id)
        page, size = page_params(request.query_params)  # after the 404, as before
        rows, count, next_page = transcript_page(request.user, conversation, page=page, size=size)
        audit_read(request, "transcript", conversation_id)
        return ok([web_message(row, own_identifier=own) for row in rows], count=count, next_page=next_page)

    @extend_schema(summary="会话导出 (xlsx)", request=None, responses=XLSX_RESPONSE)
    def export(self, request, conversation_id):
        workbook = services.transcript_export(
            actor=request.user, conversation_id=conversation_id, ip=client_ip(request)
        )
        return _xlsx_response(workbook, f"conversation-{conversation_id}.xlsx")

    @extend_schema(
        summary="批量导出 (xlsx，每个会话一个工作表)",
        request={
            "application/json": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_BATCH_EXPORT}
        },
        responses=XLSX_RESPONSE,
    )
    def batch_export(self, request):
        ids = _conversation_ids(request.data)
        workbook = services.transcripts_export(
            actor=request.user, conversation_ids=ids, ip=client_ip(request)
        )
        return _xlsx_response(workbook, f"conversations-{len(dict.fromkeys(ids))}.xlsx")


CONVERSATION_ID = re.compile(HexIdConverter.regex)


def _conversation_ids(body):
    """The batch export's body: a JSON array of conversation ids (or `{"ids": [...]}`)."""
    ids = body.get("ids") if isinstance(body, dict) else body
    if not isinstance(ids, list) or not ids:
        raise InvalidParam("请求体须为会话id数组")
    if len(ids) > MAX_BATCH_EXPORT or not all(isinstance(item, str) for item in ids):
        raise InvalidParam(f"请求体须为不超过{MAX_BATCH_EXPORT}个会话id的字符串数组")
    malformed = [item for item in ids if not CONVERSATION_ID.fullmatch(item)]
    if malformed:  # never an id (CONTRACT §4: 32 lowercase hex characters), and never sent to SQL
        raise InvalidParam(f"会话id格式不正确（须为32位十六进制）: {malformed[0][:40]!r}")
    return ids


def _xlsx_response(workbook_file, filename):
    return FileResponse(
        workbook_file,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# Chat files: signed-in users upload; downloads check the caller themselves (avatars are public).
class FileViewSet(ActionPermissions, viewsets.ViewSet):
    parser_classes = [MultiPartParser]
    permission_classes = [AllowAny]
    action_permissions = {"upload": [IsAuthenticated]}

    @extend_schema(
        summary="上传语音/图片文件",
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses=responses(
            envelope(
                "FileEnvelope",
                inline_serializer(
                    "UploadedFile", {"fileName": serializers.CharField(), "url": serializers.CharField()}
                ),
            ),
            errors=(400, 401, 413),
        ),
    )
    def upload(self, request):
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > CHAT_FILE_MAX_BYTES + MULTIPART_OVERHEAD_BYTES:
            raise PayloadTooLarge("文件不能超过20MB")
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidParam.missing("file")
        name = files.file_store(owner=request.user, upload=upload)
        url = request.build_absolute_uri(f"{files.DOWNLOAD_PATH}?{files.signed_query(name)}")
        return ok({"fileName": name, "url": url})

    @extend_schema(
        summary="下载语音/图片文件",
        description="A Bearer token of a caller allowed to read the file, or the `expires` + `signature` "
        "of a link the server handed out (upload answers, transcripts), valid FILE_LINK_MINUTES. "
        "Avatars are public. Access tokens are never accepted in the URL.",
        parameters=[
            OpenApiParameter("fileName", str, required=True),
            OpenApiParameter("expires", int, description="epoch seconds, from a handed-out link"),
            OpenApiParameter("signature", str, description="from a handed-out link"),
        ],
        responses={
            (200, "*/*"): bytes,
            **{status: schema for status, schema in responses(OK_ENVELOPE_SCHEMA).items() if status != 200},
        },
    )
    def download(self, request):
        """Avatars to anyone; other files to a caller allowed to read them (404 for anyone else), or to
        the holder of a valid signed link. No credentials at all: 401."""
        params = request.query_params
        name = params.get("fileName", "")
        if files.is_public(name):
            path = files.file_path(name)
            return FileResponse(
                open(path, "rb"), filename=path.name, content_type=files.content_type_of(path.name)
            )
        viewer = request.user if request.user and request.user.is_authenticated else None
        signed = "signature" in params or "expires" in params
        if viewer is None and not signed:
            raise NotAuthenticated()
        path = files.file_path(name)
        allowed = (signed and files.link_is_valid(name, params.get("expires"), params.get("signature"))) or (
            viewer is not None
            and may_download_file(
                viewer,
                uploads=ChatFile.objects.filter(name=name),
                links=ChatFileLink.objects.filter(file_name=name),
            )
        )
        if not allowed:
            raise NotFound("文件不存在")
        return FileResponse(
            open(path, "rb"),
            as_attachment=True,
            filename=path.name,
            content_type=files.content_type_of(path.name),
        )

"""Hotline API: sign-in and account management (seed 000 §1–21)."""

from django.db import transaction
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from hotline.api.envelope import ok, paginate
from hotline.api.errors import InvalidParam
from hotline.api.inputs import body_or_query, validated
from hotline.api.schema import envelope, responses

from . import selectors, services, tokens
from .models import TYPE_BY_ROLE
from .permissions import IsAdministrator, IsCounselor, IsVisitorUpdatingSelf
from .serializers import (
    BackendUserIn,
    LoginIn,
    LogoutIn,
    MaxConsultsIn,
    MeSerializer,
    PasswordChangeIn,
    RefreshIn,
    StaffCreateIn,
    StaffListQuery,
    StaffUpdateByIdIn,
    StaffUpdateIn,
    TokenPairOut,
    UserListQuery,
    UserSerializer,
    VisitorUpdateIn,
    WechatPhoneIn,
)
from .throttling import client_ip

OK_ENVELOPE = envelope("OkEnvelope")
TOKEN_ENVELOPE = envelope("TokenEnvelope", TokenPairOut)
USER_ENVELOPE = envelope("UserEnvelope", UserSerializer)
USER_PAGE_ENVELOPE = envelope("UserPageEnvelope", UserSerializer, many=True, paged=True)
PAGE_PARAMS = [
    OpenApiParameter("page", int, description="1-based page number (0 reads as 1)"),
    OpenApiParameter("size", int, description="page size, default 10, at most 100"),
]


def render_user(user, viewer):
    return UserSerializer(user, context={"viewer": viewer}).data


def render_users(users, viewer):
    return UserSerializer(users, many=True, context={"viewer": viewer}).data


class PublicView(APIView):
    """Explicitly public: no token is read (a stale one must not block signing in)."""

    authentication_classes = []
    permission_classes = [AllowAny]


class LoginView(PublicView):
    @extend_schema(
        summary="后台用户登录", request=LoginIn, responses=responses(TOKEN_ENVELOPE, errors=(400, 401, 429))
    )
    def post(self, request):
        data = validated(LoginIn, request.data)
        pair = services.login_with_password(
            username=data["username"], password_md5=data["password"], ip=client_ip(request)
        )
        return ok(pair)


class RefreshView(PublicView):
    @extend_schema(
        summary="刷新令牌", request=RefreshIn, responses=responses(TOKEN_ENVELOPE, errors=(400, 401))
    )
    def post(self, request):
        data = validated(RefreshIn, request.data)
        return ok(tokens.rotate(data["refresh"]))


class LogoutView(PublicView):
    @extend_schema(summary="后台用户注销", request=LogoutIn, responses=responses(OK_ENVELOPE, errors=(400,)))
    def post(self, request):
        data = validated(LogoutIn, request.data if isinstance(request.data, dict) else {})
        if data.get("refresh"):
            tokens.revoke(data["refresh"])
        return ok("ok")


class MeView(APIView):
    @extend_schema(summary="获取当前登录用户信息", responses=responses(envelope("MeEnvelope", MeSerializer)))
    def get(self, request):
        user = selectors.user_with_relations(request.user.pk)
        return ok(MeSerializer(user, context={"viewer": request.user}).data)


class WechatLoginView(PublicView):
    @extend_schema(
        summary="微信小程序用户登录",
        parameters=[OpenApiParameter("code", str, required=True, description="wx.login 获得的 code")],
        request=None,
        responses=responses(TOKEN_ENVELOPE, errors=(400, 403, 404, 429, 502)),
    )
    def post(self, request, appid):
        code = request.query_params.get("code") or (
            request.data.get("code") if isinstance(request.data, dict) else None
        )
        if not code or not isinstance(code, str):
            raise InvalidParam.missing("code")
        return ok(services.wechat_login(appid=appid, code=code))


class WechatPhoneView(APIView):
    @extend_schema(
        summary="微信小程序获取当前用户手机号",
        request=WechatPhoneIn,
        parameters=[
            OpenApiParameter("encryptedData", str),
            OpenApiParameter("iv", str),
            OpenApiParameter("code", str, description="getPhoneNumber 按钮返回的 code (新接口)"),
        ],
        responses=responses(envelope("PhoneEnvelope", serializers.CharField()), errors=(400, 401, 404, 502)),
    )
    def post(self, request, appid):
        data = validated(WechatPhoneIn, body_or_query(request))
        number = services.wechat_phone(
            user=request.user,
            appid=appid,
            encrypted_data=data.get("encryptedData"),
            iv=data.get("iv"),
            code=data.get("code"),
        )
        return ok(number)


class BackendUserView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(summary="添加后台用户", request=BackendUserIn, responses=responses(OK_ENVELOPE))
    def put(self, request):
        data = validated(BackendUserIn, request.data)
        services.user_create(
            actor=request.user,
            username=data["username"],
            password_md5=data["password"],
            user_type=TYPE_BY_ROLE[data["role"]],
            institution_code=data.get("institutionCode"),
            profile=data,
        )
        return ok("ok")


class UserListView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(
        summary="获取用户列表 / 访客列表",
        parameters=[UserListQuery],
        responses=responses(USER_PAGE_ENVELOPE),
    )
    def get(self, request):
        query = validated(UserListQuery, request.query_params)
        queryset = selectors.user_list(
            request.user, user_type=query.get("type"), username=query.get("username"), name=query.get("name")
        )
        rows, count, next_page = paginate(queryset, request.query_params)
        return ok(render_users(rows, request.user), count=count, next_page=next_page)


class StaffView(APIView):
    """PUT adds, POST updates a supervisor or counsellor (user_type set per URL)."""

    permission_classes = [IsAuthenticated, IsAdministrator]
    user_type = None

    @extend_schema(summary="添加督导/咨询师", request=StaffCreateIn, responses=responses(OK_ENVELOPE))
    def put(self, request):
        data = validated(StaffCreateIn, request.data)
        services.user_create(
            actor=request.user,
            username=data["username"],
            password_md5=data["password"],
            user_type=self.user_type,
            institution_code=data.get("institutionCode"),
            profile=data,
            supervisor_ids=data.get("supervisors"),
            max_consults=data.get("maxConsults"),
        )
        return ok("ok")

    @extend_schema(summary="修改督导/咨询师", request=StaffUpdateIn, responses=responses(USER_ENVELOPE))
    def post(self, request):
        data = validated(StaffUpdateIn, body_or_query(request))
        with transaction.atomic():
            user = selectors.access_managed_user(
                request.user, username=data["username"], types=[self.user_type], for_update=True
            )
            services.staff_update(actor=request.user, user=user, data=data)
        return ok(render_user(selectors.user_with_relations(user.pk), request.user))


class StaffListView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]
    user_type = None

    @extend_schema(
        summary="获取督导/咨询师列表", parameters=[StaffListQuery], responses=responses(USER_PAGE_ENVELOPE)
    )
    def get(self, request):
        query = validated(StaffListQuery, request.query_params)
        queryset = selectors.staff_list(
            request.user,
            user_type=self.user_type,
            name=query.get("name"),
            department=query.get("department"),
            gender=query.get("gender"),
            phone_number=query.get("phoneNumber"),
        )
        rows, count, next_page = paginate(queryset, request.query_params)
        return ok(render_users(rows, request.user), count=count, next_page=next_page)


class ByIdOperationSchema(AutoSchema):
    """`POST /user/ms/<kind>/{id}` shares its operationId stem with `POST /user/ms/<kind>`."""

    def get_operation_id(self):
        operation_id = super().get_operation_id()
        return f"{operation_id}_by_id" if self.method == "POST" else operation_id


class StaffByPathView(APIView):
    """`/user/ms/supervisor|counselor/{key}`: DELETE by username (the seed), POST updates by id (CONTRACT §12)."""

    permission_classes = [IsAuthenticated, IsAdministrator]
    schema = ByIdOperationSchema()
    user_type = None

    @extend_schema(
        summary="修改督导/咨询师 (路径为用户id)",
        description="The original console's route: the same update as `POST /user/ms/supervisor|counselor`, "
        "with the user named by its id in the path (CONTRACT §12).",
        request=StaffUpdateByIdIn,
        responses=responses(USER_ENVELOPE),
    )
    def post(self, request, username):
        data = validated(StaffUpdateByIdIn, body_or_query(request))
        with transaction.atomic():
            user = selectors.access_managed_user(
                request.user, user_id=username, types=[self.user_type], for_update=True
            )
            if data.get("username") not in (None, user.username):
                raise InvalidParam.field("username", "与路径中的用户不一致")
            services.staff_update(actor=request.user, user=user, data=data)
        return ok(render_user(selectors.user_with_relations(user.pk), request.user))

    @extend_schema(summary="删除督导/咨询师", responses=responses(OK_ENVELOPE))
    def delete(self, request, username):
        with transaction.atomic():
            user = selectors.access_managed_user(
                request.user, username=username, types=[self.user_type], for_update=True
            )
            services.user_delete(actor=request.user, user=user)
        return ok("ok")


class UserEnableView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]
    enabled = None

    @extend_schema(summary="禁用/启用用户", request=None, responses=responses(OK_ENVELOPE))
    def post(self, request, user_id):
        with transaction.atomic():
            user = selectors.access_managed_user(request.user, user_id=user_id, for_update=True)
            services.user_set_enabled(actor=request.user, user=user, enabled=self.enabled)
        return ok("ok")


class PasswordView(APIView):
    @extend_schema(summary="修改密码", request=PasswordChangeIn, responses=responses(OK_ENVELOPE))
    def post(self, request):
        data = validated(PasswordChangeIn, request.data)
        services.password_change(
            user=request.user,
            old_md5=data["oldPassword"],
            new_md5=data.get("password"),
            new_md5_alias=data.get("newPassword"),
        )
        return ok("ok")


class VisitorUpdateView(APIView):
    permission_classes = [IsAuthenticated, IsVisitorUpdatingSelf]

    @extend_schema(summary="更新访客信息", request=VisitorUpdateIn, responses=responses(USER_ENVELOPE))
    def post(self, request):
        data = validated(VisitorUpdateIn, request.data)
        services.visitor_update(user=request.user, data=data)
        return ok(render_user(selectors.user_with_relations(request.user.pk), request.user))


class MaxConsultsView(APIView):
    permission_classes = [IsAuthenticated, IsCounselor]

    @extend_schema(
        summary="修改咨询师最大咨询人数", request=MaxConsultsIn, responses=responses(USER_ENVELOPE)
    )
    def post(self, request):
        data = validated(MaxConsultsIn, request.data)
        services.counselor_set_max_consults(user=request.user, max_consults=data["maxConsults"])
        return ok(render_user(selectors.user_with_relations(request.user.pk), request.user))

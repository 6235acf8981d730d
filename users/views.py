"""Hotline API: sign-in and account management (seed 000 §1–21). One ViewSet per resource; the
seed's paths are bound to their actions in urls.py."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from hotline.api.client import client_ip
from hotline.api.envelope import ok, paginate
from hotline.api.errors import InvalidParam
from hotline.api.inputs import body_or_query, validated
from hotline.api.permissions import PublicMixin
from hotline.api.schema import envelope, responses

from . import consent, selectors, services, tokens
from .models import TYPE_BY_ROLE, UserType
from .permissions import ActionPermissions, IsAdministrator, IsCounselor, IsVisitor, IsVisitorUpdatingSelf
from .serializers import (
    ApprovalIn,
    BackendUserIn,
    ConsentIn,
    ConsentOut,
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

OK_ENVELOPE = envelope("OkEnvelope")
TOKEN_ENVELOPE = envelope("TokenEnvelope", TokenPairOut)
USER_ENVELOPE = envelope("UserEnvelope", UserSerializer)
USER_PAGE_ENVELOPE = envelope("UserPageEnvelope", UserSerializer, many=True, paged=True)
CONSENT_ENVELOPE = envelope("ConsentEnvelope", ConsentOut)


def render_user(user, viewer):
    return UserSerializer(user, context={"viewer": viewer}).data


def render_users(users, viewer):
    return UserSerializer(users, many=True, context={"viewer": viewer}).data


def render_fresh_user(user_id, viewer):
    return render_user(selectors.user_with_relations(user_id), viewer)


class PublicViewSet(PublicMixin, viewsets.ViewSet):
    """A ViewSet of public endpoints (`hotline.api.permissions.PublicMixin`)."""


# Signing in and out: password, refresh, WeChat.
class AuthViewSet(PublicViewSet):
    @extend_schema(
        summary="后台用户登录", request=LoginIn, responses=responses(TOKEN_ENVELOPE, errors=(400, 401, 429))
    )
    def login(self, request):
        data = validated(LoginIn, request.data)
        pair = services.login_with_password(
            username=data["username"], password_md5=data["password"], ip=client_ip(request)
        )
        return ok(pair)

    @extend_schema(
        summary="刷新令牌", request=RefreshIn, responses=responses(TOKEN_ENVELOPE, errors=(400, 401))
    )
    def refresh(self, request):
        data = validated(RefreshIn, request.data)
        return ok(tokens.rotate(data["refresh"]))

    @extend_schema(summary="后台用户注销", request=LogoutIn, responses=responses(OK_ENVELOPE, errors=(400,)))
    def logout(self, request):
        data = validated(LogoutIn, request.data if isinstance(request.data, dict) else {})
        if data.get("refresh"):
            tokens.revoke(data["refresh"])
        return ok("ok")

    @extend_schema(
        summary="微信小程序用户登录",
        parameters=[OpenApiParameter("code", str, required=True, description="wx.login 获得的 code")],
        request=None,
        responses=responses(TOKEN_ENVELOPE, errors=(400, 403, 404, 429, 502)),
    )
    def wechat_login(self, request, appid):
        code = request.query_params.get("code") or (
            request.data.get("code") if isinstance(request.data, dict) else None
        )
        if not code or not isinstance(code, str):
            raise InvalidParam.missing("code")
        return ok(services.wechat_login(appid=appid, code=code))


# The caller's own account: profile, phone number, password, and what visitors and counsellors
# change about themselves.
class AccountViewSet(ActionPermissions, viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    action_permissions = {
        "update_visitor": [IsAuthenticated, IsVisitorUpdatingSelf],
        "set_max_consults": [IsAuthenticated, IsCounselor],
    }

    @extend_schema(summary="获取当前登录用户信息", responses=responses(envelope("MeEnvelope", MeSerializer)))
    def me(self, request):
        user = selectors.user_with_relations(request.user.pk)
        return ok(MeSerializer(user, context={"viewer": request.user}).data)

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
    def wechat_phone(self, request, appid):
        data = validated(WechatPhoneIn, body_or_query(request))
        number = services.wechat_phone(
            user=request.user,
            appid=appid,
            encrypted_data=data.get("encryptedData"),
            iv=data.get("iv"),
            code=data.get("code"),
        )
        return ok(number)

    @extend_schema(summary="修改密码", request=PasswordChangeIn, responses=responses(OK_ENVELOPE))
    def change_password(self, request):
        data = validated(PasswordChangeIn, request.data)
        services.password_change(
            user=request.user,
            old_md5=data["oldPassword"],
            new_md5=data.get("password"),
            new_md5_alias=data.get("newPassword"),
            ip=client_ip(request),
        )
        return ok("ok")

    @extend_schema(summary="更新访客信息", request=VisitorUpdateIn, responses=responses(USER_ENVELOPE))
    def update_visitor(self, request):
        data = validated(VisitorUpdateIn, request.data)
        services.visitor_update(user=request.user, data=data)
        return ok(render_fresh_user(request.user.pk, request.user))

    @extend_schema(
        summary="修改咨询师最大咨询人数", request=MaxConsultsIn, responses=responses(USER_ENVELOPE)
    )
    def set_max_consults(self, request):
        data = validated(MaxConsultsIn, request.data)
        services.counselor_set_max_consults(user=request.user, max_consults=data["maxConsults"])
        return ok(render_fresh_user(request.user.pk, request.user))


# Administrators' view of the users they manage: add back-office users, list, ban, enable.
class UserViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(summary="添加后台用户", request=BackendUserIn, responses=responses(OK_ENVELOPE))
    def create_backend_user(self, request):
        data = validated(BackendUserIn, request.data)
        services.user_create(
            actor=request.user,
            username=data["username"],
            password_md5=data["password"],
            user_type=TYPE_BY_ROLE[data["role"]],
            institution_code=data.get("institutionCode"),
            profile=data,
            ip=client_ip(request),
        )
        return ok("ok")

    @extend_schema(
        summary="获取用户列表 / 访客列表",
        parameters=[UserListQuery],
        responses=responses(USER_PAGE_ENVELOPE),
    )
    def list_users(self, request):
        query = validated(UserListQuery, request.query_params)
        queryset = selectors.user_list(
            request.user, user_type=query.get("type"), username=query.get("username"), name=query.get("name")
        )
        rows, count, next_page = paginate(queryset, request.query_params)
        return ok(render_users(rows, request.user), count=count, next_page=next_page)

    @extend_schema(summary="禁用/启用用户", request=None, responses=responses(OK_ENVELOPE))
    def ban(self, request, user_id):
        services.managed_user_set_enabled(
            actor=request.user, user_id=user_id, enabled=False, ip=client_ip(request)
        )
        return ok("ok")

    @extend_schema(summary="禁用/启用用户", request=None, responses=responses(OK_ENVELOPE))
    def activate(self, request, user_id):
        services.managed_user_set_enabled(
            actor=request.user, user_id=user_id, enabled=True, ip=client_ip(request)
        )
        return ok("ok")

    @extend_schema(
        summary="审核通过自行注册的咨询师/督导",
        request=None,
        responses=responses(USER_ENVELOPE, errors=(401, 403, 404)),
    )
    def approve(self, request, user_id):
        user = services.managed_user_set_approved(
            actor=request.user, user_id=user_id, approved=True, ip=client_ip(request)
        )
        return ok(render_fresh_user(user.pk, request.user))

    @extend_schema(
        summary="审核通过 / 撤销审核 (approved=false)",
        parameters=[ApprovalIn],
        request=None,
        responses=responses(USER_ENVELOPE, errors=(400, 401, 403, 404)),
    )
    def set_approval(self, request, user_id):
        data = validated(ApprovalIn, body_or_query(request))
        user = services.managed_user_set_approved(
            actor=request.user, user_id=user_id, approved=data["approved"], ip=client_ip(request)
        )
        return ok(render_fresh_user(user.pk, request.user))


class StaffSchema(AutoSchema):
    """`POST /user/ms/<kind>/{id}` shares its operationId stem with `POST /user/ms/<kind>`."""

    def get_operation_id(self):
        operation_id = super().get_operation_id()
        return (
            f"{operation_id}_by_id" if getattr(self.view, "action", None) == "update_by_id" else operation_id
        )


# Supervisors and counsellors (`user_type` bound per URL): add, update, list, delete.
class StaffViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated, IsAdministrator]
    schema = StaffSchema()
    user_type = None

    @extend_schema(summary="添加督导/咨询师", request=StaffCreateIn, responses=responses(OK_ENVELOPE))
    def create(self, request):
        """PUT adds, POST updates a supervisor or counsellor (user_type set per URL)."""
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
            ip=client_ip(request),
        )
        return ok("ok")

    @extend_schema(summary="修改督导/咨询师", request=StaffUpdateIn, responses=responses(USER_ENVELOPE))
    def update(self, request):
        """PUT adds, POST updates a supervisor or counsellor (user_type set per URL)."""
        data = validated(StaffUpdateIn, body_or_query(request))
        user = services.managed_staff_update(
            actor=request.user,
            user_type=self.user_type,
            data=data,
            username=data["username"],
            ip=client_ip(request),
        )
        return ok(render_fresh_user(user.pk, request.user))

    @extend_schema(
        summary="修改督导/咨询师 (路径为用户id)",
        description="The original console's route: the same update as `POST /user/ms/supervisor|counselor`, "
        "with the user named by its id in the path (CONTRACT §12).",
        request=StaffUpdateByIdIn,
        responses=responses(USER_ENVELOPE),
    )
    def update_by_id(self, request, username):
        data = validated(StaffUpdateByIdIn, body_or_query(request))
        user = services.managed_staff_update(
            actor=request.user, user_type=self.user_type, data=data, user_id=username, ip=client_ip(request)
        )
        return ok(render_fresh_user(user.pk, request.user))

    @extend_schema(
        summary="获取督导/咨询师列表", parameters=[StaffListQuery], responses=responses(USER_PAGE_ENVELOPE)
    )
    def list_staff(self, request):
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

    @extend_schema(summary="删除督导/咨询师", responses=responses(OK_ENVELOPE))
    def delete(self, request, username):
        """`/user/ms/supervisor|counselor/{key}`: DELETE by username (the seed), POST updates by id (CONTRACT §12)."""
        services.managed_staff_delete(
            actor=request.user, user_type=self.user_type, username=username, ip=client_ip(request)
        )
        return ok("ok")


class SupervisorViewSet(StaffViewSet):
    """`/user/ms/supervisor*`."""

    user_type = UserType.SUPERVISOR


class CounselorViewSet(StaffViewSet):
    """`/user/ms/counselor*`."""

    user_type = UserType.COUNSELOR


# Consent as a record (CONTRACT §10): the visitor reads and accepts the current consent version.
class ConsentViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated, IsVisitor]

    @extend_schema(summary="知情同意状态", responses=responses(CONSENT_ENVELOPE))
    def status(self, request):
        return ok(consent.consent_status(request.user))

    @extend_schema(summary="同意知情同意书", request=ConsentIn, responses=responses(CONSENT_ENVELOPE))
    def accept(self, request):
        data = validated(ConsentIn, request.data)
        consent.consent_accept(
            visitor=request.user,
            version=data["version"],
            guardian_name=data.get("guardianName") or "",
            guardian_phone=data.get("guardianPhone") or "",
            ip=client_ip(request),
        )
        return ok(consent.consent_status(request.user))

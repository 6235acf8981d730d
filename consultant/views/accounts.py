"""Sign-in, registration, codes, deactivation (seed 001 认证) and the personal centre (个人中心)."""

from drf_spectacular.utils import extend_schema

from hotline.api.client import client_ip
from hotline.api.envelope import paginate, ws_ok
from hotline.api.errors import InvalidParam
from hotline.api.inputs import validated

from .. import codes, selectors
from ..api import PAGE_SIZE_NAMES, PublicWorkspaceViewSet, WorkspaceViewSet, file_link, uploads
from ..outputs import AvatarOut, CommentOut, LoginOut, ProfileOut
from ..schema import OK_ENVELOPE, data_of, multipart_request, responses, with_total, ws_request
from ..serializers import (
    DeactivateIn,
    PageIn,
    RegisterIn,
    ResetPasswordIn,
    SendEmailIn,
    SendPhoneIn,
    UpdateProfileIn,
    WorkspaceLoginIn,
)
from ..services import accounts


class AuthViewSet(PublicWorkspaceViewSet):
    @extend_schema(
        summary="登录",
        request=WorkspaceLoginIn,
        responses=responses(data_of(LoginOut), errors=(400, 401, 429)),
    )
    def login(self, request):
        data = validated(WorkspaceLoginIn, request.data)
        user, pair = accounts.login(
            login_type=data["loginType"],
            account_type=data["accountType"],
            account=data["account"],
            credential=data["credential"],
            ip=client_ip(request),
        )
        return ws_ok(LoginOut({"token": pair["access"], "refresh": pair["refresh"], "userInfo": user}).data)

    @extend_schema(summary="注册", request=RegisterIn, responses=responses(OK_ENVELOPE, errors=(400, 429)))
    def register(self, request):
        data = validated(RegisterIn, request.data)
        accounts.register(
            username=data["userName"],
            account_type=data["accountType"],
            account=data["account"],
            password=data["password"],
            code=data["verificationCode"],
        )
        return ws_ok(None)

    @extend_schema(
        summary="给用户发送邮箱验证码",
        request=SendEmailIn,
        responses=responses(OK_ENVELOPE, errors=(400, 429)),
    )
    def send_email_code(self, request):
        data = validated(SendEmailIn, request.data)
        codes.code_send(channel="email", account=data["email"], ip=client_ip(request))
        return ws_ok(None)

    @extend_schema(
        summary="给用户发送短信验证码",
        request=SendPhoneIn,
        responses=responses(OK_ENVELOPE, errors=(400, 429, 502)),
    )
    def send_phone_code(self, request):
        data = validated(SendPhoneIn, request.data)
        codes.code_send(channel="phone", account=data["phone"], ip=client_ip(request))
        return ws_ok(None)

    @extend_schema(
        summary="重置用户密码", request=ResetPasswordIn, responses=responses(OK_ENVELOPE, errors=(400, 429))
    )
    def reset_password(self, request):
        data = validated(ResetPasswordIn, request.data)
        accounts.password_reset(
            account_type=data["accountType"],
            account=data["account"],
            code=data["verificationCode"],
            new_password=data["newPassword"],
            ip=client_ip(request),
        )
        return ws_ok(None)


class AccountViewSet(WorkspaceViewSet):
    token_only = ("deactivate",)
    pending_allowed = ("deactivate",)

    @extend_schema(
        summary="注销账号",
        request=ws_request("DeactivateBody", DeactivateIn),
        responses=responses(OK_ENVELOPE),
    )
    def deactivate(self, request):
        data = validated(DeactivateIn, request.data)
        accounts.deactivate(
            user=request.user,
            account_type=data["accountType"],
            account=data["account"],
            code=data["verificationCode"],
            ip=client_ip(request),
        )
        return ws_ok(None)


class ProfileViewSet(WorkspaceViewSet):
    # the account's own profile; `comments` shows visitors' words and needs an approved account
    pending_allowed = ("profile", "update_profile", "update_avatar")

    @extend_schema(
        summary="获取用户详情信息",
        request=ws_request("ProfileBody"),
        responses=responses(data_of(ProfileOut)),
    )
    def profile(self, request):
        return ws_ok(ProfileOut(selectors.profile_of(request.user)).data)

    @extend_schema(
        summary="更新用户信息 (整体覆盖)",
        request=ws_request("UpdateProfileBody", UpdateProfileIn),
        responses=responses(OK_ENVELOPE),
    )
    def update_profile(self, request):
        data = validated(UpdateProfileIn, request.data)
        accounts.profile_update(user=request.user, profile=data["profile"])
        return ws_ok(None)

    @extend_schema(
        summary="更新用户头像 (multipart: userID, token, avatar)",
        request=multipart_request("AvatarBody", files=("avatar",)),
        responses=responses(data_of(AvatarOut), errors=(400, 401, 403, 413)),
    )
    def update_avatar(self, request):
        sent = uploads(request, "avatar")
        if not sent:
            raise InvalidParam.missing("avatar")
        url = accounts.avatar_set(user=request.user, upload=sent[0], link=file_link(request))
        return ws_ok(AvatarOut({"avatar": url}).data)

    @extend_schema(
        summary="获取客户对咨询师的评论 (访客姓名脱敏)",
        request=ws_request("CommentsBody", PageIn),
        responses=responses(with_total(CommentOut)),
    )
    def comments(self, request):
        data = validated(PageIn, request.data)
        rows, total, _ = paginate(selectors.comments_of(request.user), data, size_names=PAGE_SIZE_NAMES)
        return ws_ok(CommentOut(rows, many=True).data, total=total)

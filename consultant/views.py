"""Counsellor workspace API (seed 001): accounts, dashboard, orders, personal centre.

Every call is POST with a JSON body; all but the sign-in ones carry `userID` and `token` (checked before
the input is). Answers use the workspace envelope `{"code", "message", "data"}`."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.views import APIView

from hotline.api.client import client_ip
from hotline.api.envelope import paginate, ws_ok
from hotline.api.errors import InvalidParam
from hotline.api.inputs import validated
from hotline.api.permissions import PublicMixin
from hotline.api.schema import envelope
from hotline.api.schema import responses as _responses
from hotline.limits import IMAGE_MAX_BYTES
from messages import files

from . import codes, selectors, services
from .auth import TokenOnly, UserIdMatchesToken, WorkspaceTokenAuthentication
from .serializers import (
    DeactivateIn,
    OrderActionIn,
    OrderCreateIn,
    OrderListIn,
    PageIn,
    RegisterIn,
    ResetPasswordIn,
    SendEmailIn,
    SendPhoneIn,
    UpdateProfileIn,
    WorkspaceLoginIn,
)

WS_ERRORS = (400, 401, 403, 404, 429)


def responses(success, errors=WS_ERRORS):
    """Workspace response map: errors come in the workspace envelope (`data`, not `result`)."""
    return _responses(success, errors=errors, workspace=True)


def list_schema(name, item):
    """A workspace envelope whose `data` is a list of `item`."""
    return envelope(name, serializers.ListField(child=item), workspace=True)


AUTH_FIELDS = {"userID": serializers.CharField(), "token": serializers.CharField()}
OK_ENVELOPE = envelope(
    "WorkspaceOkEnvelope", serializers.JSONField(allow_null=True, default=None), workspace=True
)


def ws_request(name, serializer_class=None):
    """Schema of a workspace body: userID + token + the serializer's fields."""
    fields = dict(AUTH_FIELDS)
    if serializer_class is not None:
        fields.update(serializer_class().get_fields())
    return inline_serializer(name, fields)


def data_schema(name, fields):
    return envelope(name, inline_serializer(f"{name}Data", fields), workspace=True)


class PublicWorkspaceView(PublicMixin, APIView):
    pass


class WorkspaceView(APIView):
    authentication_classes = [WorkspaceTokenAuthentication]
    permission_classes = [UserIdMatchesToken]
    parser_classes = [JSONParser, FormParser, MultiPartParser]


# ---- accounts -------------------------------------------------------------------------------------

USER_INFO = inline_serializer(
    "WorkspaceUserInfo",
    {
        name: serializers.CharField()
        for name in ("userID", "userName", "name", "phone", "email", "organization", "avatar")
    },
)


class LoginView(PublicWorkspaceView):
    @extend_schema(
        summary="登录",
        request=WorkspaceLoginIn,
        responses=responses(
            data_schema(
                "WorkspaceLogin",
                {"token": serializers.CharField(), "refresh": serializers.CharField(), "userInfo": USER_INFO},
            ),
            errors=(400, 401, 429),
        ),
    )
    def post(self, request):
        data = validated(WorkspaceLoginIn, request.data)
        user, pair = services.login(
            login_type=data["loginType"],
            account_type=data["accountType"],
            account=data["account"],
            credential=data["credential"],
            ip=client_ip(request),
        )
        return ws_ok(
            {"token": pair["access"], "refresh": pair["refresh"], "userInfo": selectors.user_info(user)}
        )


class RegisterView(PublicWorkspaceView):
    @extend_schema(summary="注册", request=RegisterIn, responses=responses(OK_ENVELOPE, errors=(400, 429)))
    def post(self, request):
        data = validated(RegisterIn, request.data)
        services.register(
            username=data["userName"],
            account_type=data["accountType"],
            account=data["account"],
            password=data["password"],
            code=data["verificationCode"],
        )
        return ws_ok(None)


class SendEmailCodeView(PublicWorkspaceView):
    @extend_schema(
        summary="给用户发送邮箱验证码",
        request=SendEmailIn,
        responses=responses(OK_ENVELOPE, errors=(400, 429)),
    )
    def post(self, request):
        data = validated(SendEmailIn, request.data)
        codes.code_send(channel="email", account=data["email"], ip=client_ip(request))
        return ws_ok(None)


class SendPhoneCodeView(PublicWorkspaceView):
    @extend_schema(
        summary="给用户发送短信验证码",
        request=SendPhoneIn,
        responses=responses(OK_ENVELOPE, errors=(400, 429, 502)),
    )
    def post(self, request):
        data = validated(SendPhoneIn, request.data)
        codes.code_send(channel="phone", account=data["phone"], ip=client_ip(request))
        return ws_ok(None)


class ResetPasswordView(PublicWorkspaceView):
    @extend_schema(
        summary="重置用户密码", request=ResetPasswordIn, responses=responses(OK_ENVELOPE, errors=(400, 429))
    )
    def post(self, request):
        data = validated(ResetPasswordIn, request.data)
        services.password_reset(
            account_type=data["accountType"],
            account=data["account"],
            code=data["verificationCode"],
            new_password=data["newPassword"],
        )
        return ws_ok(None)


class DeactivateView(WorkspaceView):
    permission_classes = [TokenOnly]

    @extend_schema(
        summary="注销账号",
        request=ws_request("DeactivateBody", DeactivateIn),
        responses=responses(OK_ENVELOPE),
    )
    def post(self, request):
        data = validated(DeactivateIn, request.data)
        services.deactivate(
            user=request.user,
            account_type=data["accountType"],
            account=data["account"],
            code=data["verificationCode"],
        )
        return ws_ok(None)


# ---- dashboard ------------------------------------------------------------------------------------


def dashboard_view(summary, selector, fields):
    class DashboardView(WorkspaceView):
        @extend_schema(
            summary=summary,
            request=ws_request(f"{selector.__name__}Body"),
            responses=responses(data_schema(f"Dashboard_{selector.__name__}", fields)),
        )
        def post(self, request):
            return ws_ok(selector(request.user))

    DashboardView.__name__ = f"Dashboard_{selector.__name__}"
    return DashboardView.as_view()


INTS = serializers.ListField(child=serializers.IntegerField())
dashboard_today = dashboard_view(
    "获取今日咨询交易情况 (amount: 分)",
    selectors.today_transactions,
    {"count": serializers.IntegerField(), "amount": serializers.IntegerField()},
)
dashboard_category = dashboard_view(
    "获取咨询类别占比数据",
    selectors.category_data,
    {"online": serializers.IntegerField(), "outline": serializers.IntegerField()},
)
dashboard_yearly = dashboard_view(
    "获取年度咨询量数据", selectors.yearly_consultations, {"total": serializers.IntegerField(), "data": INTS}
)
dashboard_time_slots = dashboard_view(
    "获取时段预约趋势数据", selectors.time_slot_data, {"timeSlots": INTS, "appointments": INTS}
)
dashboard_gender = dashboard_view(
    "获取用户性别分布数据",
    selectors.gender_data,
    {"male": serializers.IntegerField(), "female": serializers.IntegerField()},
)
dashboard_age = dashboard_view(
    "获取用户年龄分布数据 (1-17, 18-25, 26-35, 36-45, 46-55, 55+)", selectors.age_data, {"values": INTS}
)


# ---- orders ---------------------------------------------------------------------------------------

ORDER = inline_serializer(
    "WorkspaceOrder",
    {
        "id": serializers.IntegerField(),
        "order_id": serializers.CharField(),
        "name": serializers.CharField(),
        "gender": serializers.CharField(),
        "age": serializers.CharField(),
        "type": serializers.CharField(),
        "key_word": serializers.ListField(child=serializers.CharField()),
        "date": serializers.CharField(),
        "time": serializers.CharField(),
        "commit_time": serializers.CharField(),
        "finish_time": serializers.CharField(),
        "status": serializers.CharField(),
        "contact": serializers.CharField(),
        "amount": serializers.IntegerField(help_text="分"),
    },
)


class OrderListView(WorkspaceView):
    @extend_schema(
        summary="获取咨询列表",
        request=ws_request("OrderListBody", OrderListIn),
        responses=responses(
            data_schema(
                "OrderPage", {"total": serializers.IntegerField(), "data": serializers.ListField(child=ORDER)}
            )
        ),
    )
    def post(self, request):
        data = validated(OrderListIn, request.data)
        queryset = selectors.orders_filtered(
            request.user,
            name=data.get("name"),
            date_start=data.get("date_start"),
            date_end=data.get("date_end"),
            order_type=data.get("type"),
            status=data.get("status"),
        )
        rows, total, _ = paginate(queryset, data, size_names=("pageSize", "page_size"))
        return ws_ok({"total": total, "data": [selectors.order_row(order) for order in rows]})


class OrderCreateView(WorkspaceView):
    @extend_schema(
        summary="新增来访/创建咨询订单 (amount: 分, 可选)",
        request=ws_request("OrderCreateBody", OrderCreateIn),
        responses=responses(
            inline_serializer(
                "OrderCreated",
                {
                    "code": serializers.IntegerField(),
                    "message": serializers.CharField(),
                    "id": serializers.IntegerField(),
                    "data": ORDER,
                },
            )
        ),
    )
    def post(self, request):
        data = validated(OrderCreateIn, request.data)
        order = services.order_create(consultant=request.user, data=data)
        return ws_ok(selectors.order_row(order), id=order.pk)


def order_action_view(action, summary):
    class OrderActionView(WorkspaceView):
        @extend_schema(
            summary=summary,
            request=ws_request(f"Order{action.title()}Body", OrderActionIn),
            responses=responses(envelope(f"Order{action.title()}Envelope", ORDER, workspace=True)),
        )
        def post(self, request):
            data = validated(OrderActionIn, request.data)
            order = services.order_transition(consultant=request.user, order_id=data["id"], action=action)
            return ws_ok(selectors.order_row(order))

    OrderActionView.__name__ = f"Order{action.title()}View"
    return OrderActionView.as_view()


# ---- personal centre ------------------------------------------------------------------------------

PROFILE = inline_serializer(
    "WorkspaceProfile",
    {
        name: serializers.CharField()
        for name in (
            "avatar",
            "username",
            "name",
            "phone",
            "email",
            "organization",
            "introduction",
            "experience",
            "expertise",
            "education",
            "certifications",
        )
    },
)


class ProfileView(WorkspaceView):
    @extend_schema(
        summary="获取用户详情信息",
        request=ws_request("ProfileBody"),
        responses=responses(envelope("ProfileEnvelope", PROFILE, workspace=True)),
    )
    def post(self, request):
        return ws_ok(selectors.profile_of(request.user))


class UpdateProfileView(WorkspaceView):
    @extend_schema(
        summary="更新用户信息 (整体覆盖)",
        request=ws_request("UpdateProfileBody", UpdateProfileIn),
        responses=responses(OK_ENVELOPE),
    )
    def post(self, request):
        data = validated(UpdateProfileIn, request.data)
        services.profile_update(user=request.user, profile=data["profile"])
        return ws_ok(None)


class UpdateAvatarView(WorkspaceView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="更新用户头像 (multipart: userID, token, avatar)",
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "userID": {"type": "string"},
                    "token": {"type": "string"},
                    "avatar": {"type": "string", "format": "binary"},
                },
            }
        },
        responses=responses(
            data_schema("Avatar", {"avatar": serializers.CharField()}), errors=(400, 401, 403, 413)
        ),
    )
    def post(self, request):
        upload = request.FILES.get("avatar")
        if upload is None:
            raise InvalidParam.missing("avatar")
        name = files.file_store(
            owner=request.user,
            upload=upload,
            field="avatar",
            kinds=files.IMAGE_KINDS,
            public=True,
            max_bytes=IMAGE_MAX_BYTES,
        )
        url = request.build_absolute_uri(f"/file/download?fileName={name}")
        services.avatar_set(user=request.user, url=url)
        return ws_ok({"avatar": url})


COMMENT = inline_serializer(
    "WorkspaceComment",
    {
        name: serializers.CharField()
        for name in ("id", "avatar", "username", "name", "organization", "time", "content", "rating")
    },
)


class CommentsView(WorkspaceView):
    @extend_schema(
        summary="获取客户对咨询师的评论 (访客姓名脱敏)",
        request=ws_request("CommentsBody", PageIn),
        responses=responses(
            inline_serializer(
                "CommentsEnvelope",
                {
                    "code": serializers.IntegerField(),
                    "message": serializers.CharField(),
                    "data": serializers.ListField(child=COMMENT),
                    "total": serializers.IntegerField(),
                },
            )
        ),
    )
    def post(self, request):
        data = validated(PageIn, request.data)
        rows, total, _ = paginate(
            selectors.comments_of(request.user), data, size_names=("pageSize", "page_size")
        )
        return ws_ok([selectors.comment_row(row) for row in rows], total=total)

"""Consultation orders (seed 001 咨询列表), their intake profiles (个人档案) and the dashboard (首页)."""

from drf_spectacular.utils import extend_schema

from hotline.api.envelope import paginate, ws_ok
from hotline.api.inputs import validated
from users.audit import audit_read

from .. import selectors
from ..api import PAGE_SIZE_NAMES, WorkspaceViewSet
from ..outputs import (
    AgeOut,
    CategoryOut,
    GenderOut,
    IntakeOut,
    OrderOut,
    OrderPageOut,
    TimeSlotsOut,
    TodayOut,
    YearlyOut,
)
from ..schema import data_of, responses, with_id, ws_request
from ..serializers import IdIn, IntakeUpdateIn, OrderCreateIn, OrderListIn
from ..services import orders


def _dashboard_schema(summary, out):
    return extend_schema(
        summary=summary, request=ws_request(f"{out.__name__}Body"), responses=responses(data_of(out))
    )


class DashboardViewSet(WorkspaceViewSet):
    @_dashboard_schema("获取今日咨询交易情况 (amount: 分)", TodayOut)
    def today_transactions(self, request):
        return ws_ok(TodayOut(selectors.today_transactions(request.user)).data)

    @_dashboard_schema("获取咨询类别占比数据", CategoryOut)
    def category_data(self, request):
        return ws_ok(CategoryOut(selectors.category_data(request.user)).data)

    @_dashboard_schema("获取年度咨询量数据", YearlyOut)
    def yearly_consultations(self, request):
        return ws_ok(YearlyOut(selectors.yearly_consultations(request.user)).data)

    @_dashboard_schema("获取时段预约趋势数据", TimeSlotsOut)
    def time_slot_data(self, request):
        return ws_ok(TimeSlotsOut(selectors.time_slot_data(request.user)).data)

    @_dashboard_schema("获取用户性别分布数据", GenderOut)
    def gender_data(self, request):
        return ws_ok(GenderOut(selectors.gender_data(request.user)).data)

    @_dashboard_schema("获取用户年龄分布数据 (1-17, 18-25, 26-35, 36-45, 46-55, 55+)", AgeOut)
    def age_data(self, request):
        return ws_ok(AgeOut(selectors.age_data(request.user)).data)


def _transition_schema(action, summary):
    return extend_schema(
        summary=summary,
        request=ws_request(f"Order{action.title()}Body", IdIn),
        responses=responses(data_of(OrderOut, name=f"Order{action.title()}Envelope")),
    )


class OrderViewSet(WorkspaceViewSet):
    token_only = ("intake", "intake_update")

    @extend_schema(
        summary="获取咨询列表",
        request=ws_request("OrderListBody", OrderListIn),
        responses=responses(data_of(OrderPageOut)),
    )
    def list(self, request):
        data = validated(OrderListIn, request.data)
        queryset = selectors.orders_filtered(
            request.user,
            name=data.get("name"),
            date_start=data.get("date_start"),
            date_end=data.get("date_end"),
            order_type=data.get("type"),
            status=data.get("status"),
        )
        rows, total, _ = paginate(queryset, data, size_names=PAGE_SIZE_NAMES)
        return ws_ok(OrderPageOut({"total": total, "data": rows}).data)

    @extend_schema(
        summary="新增来访/创建咨询订单 (amount: 分, 可选)",
        request=ws_request("OrderCreateBody", OrderCreateIn),
        responses=responses(with_id(OrderOut)),
    )
    def create(self, request):
        data = validated(OrderCreateIn, request.data)
        order = orders.order_create(actor=request.user, data=data)
        return ws_ok(OrderOut(order).data, id=order.pk)

    def _transition(self, request, action):
        data = validated(IdIn, request.data)
        order = orders.order_transition(actor=request.user, order_id=data["id"], action=action)
        return ws_ok(OrderOut(order).data)

    @_transition_schema("accept", "接单 (待接单→等待中)")
    def accept(self, request):
        return self._transition(request, "accept")

    @_transition_schema("reject", "拒绝 (待接单/等待中→已拒绝)")
    def reject(self, request):
        return self._transition(request, "reject")

    @_transition_schema("start", "开始咨询 (等待中→咨询中)")
    def start(self, request):
        return self._transition(request, "start")

    @_transition_schema("finish", "结束咨询 (咨询中→已结束)")
    def finish(self, request):
        return self._transition(request, "finish")

    @extend_schema(
        summary="获取个人档案 (id: 咨询订单 id)",
        request=ws_request("IntakeBody", IdIn),
        responses=responses(data_of(IntakeOut)),
    )
    def intake(self, request):
        data = validated(IdIn, request.data)
        profile = IntakeOut(selectors.intake_of(request.user, data["id"])).data
        audit_read(request, "intake", data["id"])
        return ws_ok(profile)

    @extend_schema(
        summary="写入个人档案 (整体覆盖)",
        request=ws_request("IntakeUpdateBody", IntakeUpdateIn),
        responses=responses(data_of(IntakeOut, name="IntakeSavedEnvelope")),
    )
    def intake_update(self, request):
        data = validated(IntakeUpdateIn, request.data)
        order = orders.intake_save(actor=request.user, order_id=data["id"], profile=data["profile"])
        return ws_ok(IntakeOut(selectors.intake_of(request.user, order.pk)).data)

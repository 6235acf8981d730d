"""Work schedule and leave (seed 001 排班管理): the hotline's duty seen per time slot
(`scheduling.workspace`); leave periods take a counsellor off hotline duty."""

from drf_spectacular.utils import extend_schema

from hotline.api.envelope import ws_ok
from hotline.api.inputs import validated

from .. import imports, selectors
from ..api import WorkspaceViewSet, one_upload
from ..outputs import LeaveOut, ScheduleDayOut, ScheduleUploadOut
from ..schema import OK_ENVELOPE, data_of, multipart_request, responses, ws_request
from ..serializers import DayIn, LeaveListIn, MonthIn
from ..services import schedule


class ScheduleViewSet(WorkspaceViewSet):
    token_only = ("month", "work_day_update", "upload")
    # a pending account may plan its own slots and leave (they count once approved); the month view
    # shows colleagues' duty and an upload may name them, so those wait for approval
    pending_allowed = ("work_day_update", "leave", "leave_update")

    @extend_schema(
        summary="按年月份获取排班管理信息 (本机构)",
        request=ws_request("WorkMonthBody", MonthIn),
        responses=responses(data_of(ScheduleDayOut, many=True)),
    )
    def month(self, request):
        data = validated(MonthIn, request.data)
        days = selectors.month_schedule(
            request.user, year=data["year"], month=data["month"], organization=data.get("organization")
        )
        return ws_ok(ScheduleDayOut(days, many=True).data)

    @extend_schema(
        summary="给单个日期添加或修改排班 (本人；[] 清空)",
        request=ws_request("WorkDayBody", DayIn),
        responses=responses(OK_ENVELOPE),
    )
    def work_day_update(self, request):
        data = validated(DayIn, request.data)
        schedule.work_day_set(actor=request.user, day=data["day"], texts=data["work_schedules"])
        return ws_ok(None)

    @extend_schema(
        summary="上传文件批量排班 (xlsx: 日期 | 用户名 | 时间段；仅本机构)",
        request=multipart_request("ScheduleUploadBody", files=("files",)),
        responses=responses(data_of(ScheduleUploadOut)),
    )
    def upload(self, request):
        upload = one_upload(request, several="一次只能上传一个文件")
        return ws_ok(ScheduleUploadOut(imports.schedule_import(actor=request.user, upload=upload)).data)

    @extend_schema(
        summary="获取停诊信息 (本人)",
        request=ws_request("LeaveListBody"),
        responses=responses(data_of(LeaveOut, many=True)),
    )
    def leave(self, request):
        return ws_ok(LeaveOut(selectors.leave_periods_of(request.user), many=True).data)

    @extend_schema(
        summary="添加/修改/删除停诊安排 (整体覆写)",
        request=ws_request("LeaveUpdateBody", LeaveListIn),
        responses=responses(data_of(LeaveOut, many=True, name="LeaveUpdatedEnvelope")),
    )
    def leave_update(self, request):
        data = validated(LeaveListIn, request.data)
        schedule.leave_set(actor=request.user, items=data["stop_schedules"])
        return ws_ok(LeaveOut(selectors.leave_periods_of(request.user), many=True).data)

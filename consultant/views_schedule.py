"""Workspace API: work schedule and leave (seed 001 排班管理). The data is the hotline's duty
(scheduling.Arrangement) seen per time slot; leave periods take a counsellor off hotline duty."""

from datetime import date

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from hotline.api.envelope import ws_ok
from hotline.api.errors import Forbidden, InvalidParam
from hotline.api.fields import StrictCharField
from hotline.api.inputs import validated
from scheduling import workspace
from scheduling.models import DutyType
from users.models import User

from .auth import TokenOnly
from .spreadsheets import as_date, read_table
from .views import OK_ENVELOPE, WorkspaceView, data_schema, list_schema, responses, ws_request

UPLOAD_HEADER = ["日期", "用户名", "时间段"]


class MonthIn(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    organization = StrictCharField(max_length=128, required=False, allow_blank=True, allow_null=True)


class DayIn(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    date = serializers.IntegerField(min_value=1, max_value=31)
    work_schedules = serializers.ListField(
        child=StrictCharField(max_length=32), allow_empty=True, max_length=48
    )

    def validate(self, attrs):
        try:
            attrs["day"] = date(attrs["year"], attrs["month"], attrs["date"])
        except ValueError:
            raise serializers.ValidationError({"date": "该月没有这一天"}) from None
        return attrs


class LeaveIn(serializers.Serializer):
    start_time = StrictCharField(max_length=32)
    end_time = StrictCharField(max_length=32)


class LeaveListIn(serializers.Serializer):
    stop_schedules = serializers.ListField(child=LeaveIn(), allow_empty=True, max_length=200)


SCHEDULE_DAY = inline_serializer(
    "WorkspaceScheduleDay",
    {
        "date": serializers.IntegerField(),
        "schedules": serializers.ListField(
            child=inline_serializer(
                "WorkspaceSlot",
                {
                    "id": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    "work_time": serializers.CharField(),
                },
            )
        ),
    },
)


class WorkMonthView(WorkspaceView):
    permission_classes = [TokenOnly]

    @extend_schema(
        summary="按年月份获取排班管理信息 (本机构)",
        request=ws_request("WorkMonthBody", MonthIn),
        responses=responses(list_schema("WorkMonth", SCHEDULE_DAY)),
    )
    def post(self, request):
        data = validated(MonthIn, request.data)
        organization = (data.get("organization") or "").strip()
        if organization and organization not in (
            request.user.institution.name,
            request.user.institution.code,
        ):
            raise Forbidden("只能查看本机构的排班")
        return ws_ok(
            workspace.month_schedule(
                institution_id=request.user.institution_id, year=data["year"], month=data["month"]
            )
        )


class WorkDayUpdateView(WorkspaceView):
    permission_classes = [TokenOnly]

    @extend_schema(
        summary="给单个日期添加或修改排班 (本人；[] 清空)",
        request=ws_request("WorkDayBody", DayIn),
        responses=responses(OK_ENVELOPE),
    )
    def post(self, request):
        data = validated(DayIn, request.data)
        slots = workspace.parse_slots(data["work_schedules"])
        workspace.work_slots_set(user=request.user, day=data["day"], slots=slots)
        return ws_ok(None)


class ScheduleUploadView(WorkspaceView):
    permission_classes = [TokenOnly]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="上传文件批量排班 (xlsx: 日期 | 用户名 | 时间段；仅本机构)",
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "user_id": {"type": "string"},
                    "token": {"type": "string"},
                    "files": {"type": "string", "format": "binary"},
                },
            }
        },
        responses=responses(data_schema("ScheduleUploaded", {"days": serializers.IntegerField()})),
    )
    def post(self, request):
        uploads = request.FILES.getlist("files")
        if len(uploads) != 1:
            raise (
                InvalidParam.missing("files")
                if not uploads
                else InvalidParam.field("files", "一次只能上传一个文件")
            )
        rows = read_table(uploads[0], "files")
        if not rows or [str(value or "").strip() for value in rows[0][1][:3]] != UPLOAD_HEADER:
            raise InvalidParam(f"第1行 表头: 须为 {' | '.join(UPLOAD_HEADER)}")
        body = [(number, list(row) + [None] * (3 - len(row))) for number, row in rows[1:]]
        usernames = {str(row[1]).strip() for _, row in body if row[1] not in (None, "")}
        staff = {
            user.username: user
            for user in User.objects.filter(
                username__in=usernames,
                institution_id=request.user.institution_id,
                type__in=DutyType.values,
                deleted_at__isnull=True,
            )
        }
        problems, plan = [], {}
        for number, row in body:
            day = as_date(row[0])
            if day is None:
                problems.append(f"第{number}行 日期: 须为日期或 YYYY-MM-DD")
            username = str(row[1] or "").strip()
            user = staff.get(username)
            if user is None:
                problems.append(f"第{number}行 用户名: 本机构没有咨询师或督导 {username!r}")
            texts = [part for part in str(row[2] or "").replace("，", ",").split(",") if part.strip()]
            try:
                slots = workspace.parse_slots(texts, field="时间段") if texts else []
            except InvalidParam as exc:
                problems.append(f"第{number}行 时间段: {exc.message.split('] ', 1)[-1]}")
                continue
            if day is not None and user is not None:
                entry = plan.setdefault((user.pk, day), (user, [], []))
                entry[1].extend(slots)
                entry[2].append(number)
        for user, slots, numbers in plan.values():
            try:
                workspace.parse_slots([f"{start:%H:%M}-{end:%H:%M}" for start, end in slots])
            except InvalidParam:
                problems.append(
                    f"第{'、'.join(map(str, numbers))}行 时间段: {user.username} 同一天的时间段重叠"
                )
        if problems:
            raise InvalidParam("；".join(problems[:500]))
        with transaction.atomic():
            for (_, day), (user, slots, _) in plan.items():
                workspace.work_slots_set(user=user, day=day, slots=sorted(slots), actor=request.user)
        return ws_ok({"days": len(plan)})


class LeaveListView(WorkspaceView):
    @extend_schema(
        summary="获取停诊信息 (本人)",
        request=ws_request("LeaveListBody"),
        responses=responses(
            list_schema(
                "LeaveList",
                inline_serializer(
                    "LeaveItem",
                    {
                        "name": serializers.CharField(),
                        "start_time": serializers.CharField(),
                        "end_time": serializers.CharField(),
                    },
                ),
            )
        ),
    )
    def post(self, request):
        return ws_ok(workspace.leave_rows(request.user))


class LeaveUpdateView(WorkspaceView):
    @extend_schema(
        summary="添加/修改/删除停诊安排 (整体覆写)",
        request=ws_request("LeaveUpdateBody", LeaveListIn),
        responses=responses(OK_ENVELOPE),
    )
    def post(self, request):
        data = validated(LeaveListIn, request.data)
        periods = []
        for index, item in enumerate(data["stop_schedules"]):
            start = workspace.parse_leave_time(
                item["start_time"], f"stop_schedules[{index}].start_time", is_end=False
            )
            end = workspace.parse_leave_time(
                item["end_time"], f"stop_schedules[{index}].end_time", is_end=True
            )
            if end <= start:
                raise InvalidParam.field(f"stop_schedules[{index}]", "结束时间须晚于开始时间")
            periods.append((start, end))
        workspace.leave_periods_set(user=request.user, periods=periods)
        return ws_ok(workspace.leave_rows(request.user))

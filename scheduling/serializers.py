from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.api.fields import RecordSerializer, StrictCharField, epoch_ms
from hotline.limits import DUTY_MAX_MS, DUTY_MIN_MS, TIME_FORMAT

from .models import DutyType


@extend_schema_field(
    {"type": "integer", "format": "int64", "description": "epoch ms (number or numeric string)"}
)
class MillisField(serializers.Field):
    """Epoch ms as a number or a numeric string (the seed sends `"1638288000000"`)."""

    default_error_messages = {"invalid": "须为毫秒时间戳", "range": "时间戳须在2000年至2099年之间"}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        try:
            value = int(str(data).strip())
        except (TypeError, ValueError):
            self.fail("invalid")
        if not DUTY_MIN_MS <= value <= DUTY_MAX_MS:
            self.fail("range")
        return value


class ArrangeIn(serializers.Serializer):
    timestamp = MillisField()
    users = serializers.ListField(child=StrictCharField(max_length=32), allow_empty=False, max_length=500)
    type = serializers.ChoiceField(choices=DutyType.choices)


class ArrangeBatchIn(serializers.Serializer):
    user = StrictCharField(max_length=32)
    weekDays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), allow_empty=True, max_length=7
    )
    userType = serializers.ChoiceField(choices=DutyType.choices)


class TheDayQuery(serializers.Serializer):
    timestamp = MillisField()
    type = serializers.ChoiceField(choices=DutyType.choices)
    state = serializers.ChoiceField(choices=["online", "offline", "all"], required=False, allow_blank=True)
    page = serializers.IntegerField(required=False, min_value=0)
    size = serializers.IntegerField(required=False, min_value=0)


def _time(value):
    return value.strftime(TIME_FORMAT) if value else None


class ArrangementSerializer(RecordSerializer):
    year = serializers.SerializerMethodField()
    month = serializers.SerializerMethodField()
    day = serializers.SerializerMethodField()
    startTime = serializers.SerializerMethodField()
    endTime = serializers.SerializerMethodField()
    user = serializers.CharField(source="user_id")
    type = serializers.CharField()
    weekDay = serializers.SerializerMethodField()
    localDate = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField())
    def get_year(self, row):
        return row.date.year

    @extend_schema_field(serializers.IntegerField())
    def get_month(self, row):
        return row.date.month

    @extend_schema_field(serializers.IntegerField())
    def get_day(self, row):
        return row.date.day

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="HH:MM of a work slot; null for a whole day")
    )
    def get_startTime(self, row):
        return _time(row.start_time)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_endTime(self, row):
        return _time(row.end_time)

    @extend_schema_field(serializers.IntegerField(help_text="1 = Monday … 7 = Sunday"))
    def get_weekDay(self, row):
        return row.date.isoweekday()

    @extend_schema_field(serializers.CharField(help_text="YYYY-MM-DD"))
    def get_localDate(self, row):
        return row.date.isoformat()


class TheDaySerializer(ArrangementSerializer):
    """The shape of a row of /arrange/theday for the OpenAPI schema; the view renders the rows with
    `theday_row`, which must answer these keys in this order (a test holds them together)."""

    gender = serializers.SerializerMethodField()
    userName = serializers.SerializerMethodField()
    tencentID = serializers.CharField(source="user.username")
    userId = serializers.CharField(source="user_id")
    level = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    isConsulted = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_gender(self, row):
        return row.user.gender or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_userName(self, row):
        return row.user.name or None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_level(self, row):
        level = row.user.level
        return None if level is None else round(float(level), 4)

    @extend_schema_field(serializers.ChoiceField(choices=["空闲", "忙碌", "离线"]))
    def get_status(self, row):
        if not row.user.online:
            return "离线"
        return "忙碌" if row.user.running >= row.user.max_consults else "空闲"

    @extend_schema_field(serializers.ChoiceField(choices=["咨询过", "未咨询过"]))
    def get_isConsulted(self, row):
        return "咨询过" if row.user.consulted else "未咨询过"


def theday_row(row):
    """A `selectors.DutyRow` as `TheDaySerializer` describes it. Performance (issue 13): a plain function,
    because the serializer's field machinery cost more per page than everything else of the request."""
    day, figures = row.date, row.figures
    created, level = epoch_ms(row.created_at), figures["level"]
    if not row.online:
        status = "离线"
    else:
        status = "忙碌" if figures["running"] >= row.max_consults else "空闲"
    return {
        "id": row.id,
        "createTime": created,
        "createdTime": created,
        "creator": row.creator_id,
        "lastUpdateTime": epoch_ms(row.updated_at),
        "lastUpdater": row.last_updater_id,
        "year": day.year,
        "month": day.month,
        "day": day.day,
        "startTime": _time(row.start_time),
        "endTime": _time(row.end_time),
        "user": row.user_id,
        "type": row.type,
        "weekDay": day.isoweekday(),
        "localDate": day.isoformat(),
        "gender": row.gender or None,
        "userName": row.name or None,
        "tencentID": row.username,
        "userId": row.user_id,
        "level": None if level is None else round(float(level), 4),
        "status": status,
        "isConsulted": "咨询过" if figures["consulted"] else "未咨询过",
    }

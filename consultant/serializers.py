"""Workspace inputs (seed 001). Field names are the seed's (snake_case and camelCase as written)."""

import re
from datetime import date

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.api.fields import StrictCharField
from hotline.limits import (
    BIGINT_MAX,
    DATE_FORMAT,
    INT32_MAX,
    LEAVE_MAX_YEAR,
    LEAVE_MIN_YEAR,
    TIME_FORMAT,
    TIME_INPUT_FORMATS,
)
from users.validators import check_email, check_gender, check_mobile, check_username

from .models import OrderStatus, OrderType

ACCOUNT_TYPES = ["email", "phone"]


def check_password_strength(value):
    if len(value) < 8 or not re.search(r"[A-Za-z]", value) or not re.search(r"\d", value):
        raise serializers.ValidationError("密码至少8位，且须同时包含字母和数字")
    return value


class AccountFields(serializers.Serializer):
    accountType = serializers.ChoiceField(choices=ACCOUNT_TYPES)
    account = StrictCharField(max_length=254)

    def validate(self, attrs):
        checker = check_email if attrs["accountType"] == "email" else check_mobile
        try:
            checker(attrs["account"])
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"account": exc.detail}) from None
        return attrs


class WorkspaceLoginIn(AccountFields):
    loginType = serializers.ChoiceField(choices=["password", "code"])
    credential = StrictCharField(max_length=128)


class RegisterIn(AccountFields):
    userName = StrictCharField(validators=[check_username])
    password = StrictCharField(max_length=128, validators=[check_password_strength])
    verificationCode = StrictCharField(max_length=16)


class SendEmailIn(serializers.Serializer):
    email = StrictCharField(max_length=254, validators=[check_email], allow_blank=False)


class SendPhoneIn(serializers.Serializer):
    phone = StrictCharField(max_length=20, validators=[check_mobile], allow_blank=False)


class ResetPasswordIn(AccountFields):
    verificationCode = StrictCharField(max_length=16)
    newPassword = StrictCharField(max_length=128, validators=[check_password_strength])


class DeactivateIn(AccountFields):
    verificationCode = StrictCharField(max_length=16)


class PageIn(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=0, allow_null=True)
    pageSize = serializers.IntegerField(required=False, min_value=0, allow_null=True)
    page_size = serializers.IntegerField(required=False, min_value=0, allow_null=True)


def _optional(max_length=64):
    return StrictCharField(max_length=max_length, required=False, allow_blank=True, allow_null=True)


class OrderListIn(PageIn):
    name = _optional()
    date_start = serializers.DateField(required=False, allow_null=True, input_formats=[DATE_FORMAT])
    date_end = serializers.DateField(required=False, allow_null=True, input_formats=[DATE_FORMAT])
    type = serializers.ChoiceField(
        choices=OrderType.choices, required=False, allow_blank=True, allow_null=True
    )
    status = serializers.ChoiceField(
        choices=OrderStatus.choices, required=False, allow_blank=True, allow_null=True
    )

    STATUS_ALIASES = {"咨询师中": OrderStatus.IN_PROGRESS}  # the seed's spelling of 咨询中

    def to_internal_value(self, data):
        # The seed marks every filter required: an empty string means "no filter".
        if hasattr(data, "items"):
            data = {key: value for key, value in data.items() if value != ""}
            if isinstance(data.get("status"), str) and data["status"] in self.STATUS_ALIASES:
                data["status"] = self.STATUS_ALIASES[data["status"]]
        return super().to_internal_value(data)


class OrderCreateIn(serializers.Serializer):
    name = StrictCharField(max_length=64)
    age = serializers.IntegerField(min_value=1, max_value=150)
    gender = StrictCharField(max_length=2, validators=[check_gender])
    type = serializers.ChoiceField(choices=OrderType.choices)
    date = serializers.DateField(input_formats=[DATE_FORMAT])
    time = serializers.TimeField(input_formats=TIME_INPUT_FORMATS)
    contact = StrictCharField(max_length=64)
    key_word = serializers.ListField(child=StrictCharField(max_length=32), max_length=20, allow_empty=True)
    amount = serializers.IntegerField(required=False, min_value=0, max_value=100_000_000, default=0)


class IdIn(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)


class ProfileFieldsIn(serializers.Serializer):
    username = StrictCharField(max_length=64)
    name = StrictCharField(max_length=64, allow_blank=True)
    phone = StrictCharField(max_length=20, allow_blank=True, validators=[check_mobile])
    email = StrictCharField(max_length=254, allow_blank=True, validators=[check_email])
    organization = StrictCharField(max_length=128, allow_blank=True)
    introduction = StrictCharField(max_length=5000, allow_blank=True)
    experience = StrictCharField(max_length=5000, allow_blank=True)
    expertise = StrictCharField(max_length=5000, allow_blank=True)
    education = StrictCharField(max_length=5000, allow_blank=True)
    certifications = StrictCharField(max_length=5000, allow_blank=True)


class UpdateProfileIn(serializers.Serializer):
    profile = ProfileFieldsIn()


# ---- case files -----------------------------------------------------------------------------------


def _text(max_length=5000):
    return StrictCharField(max_length=max_length, required=False, allow_blank=True, allow_null=True)


class ArchiveFieldsIn(serializers.Serializer):
    std_name = StrictCharField(max_length=64)
    std_grade = _text(64)
    std_class = _text(64)
    std_school = _text(128)
    interview_count = _text(16)
    interview_status = _text(64)
    interview_type = _text(64)
    doctor_evaluation = _text()
    follow_up_plan = _text()


class ArchiveListIn(ArchiveFieldsIn):
    """Every archive field filters the list (none required), plus paging."""

    std_name = _text(64)
    page = serializers.IntegerField(required=False, min_value=0, allow_null=True)
    page_size = serializers.IntegerField(required=False, min_value=0, allow_null=True)
    pageSize = serializers.IntegerField(required=False, min_value=0, allow_null=True)


@extend_schema_field({"type": "boolean", "description": "true/false, 是/否"})
class BoolText(serializers.Field):
    """true/false, "true"/"false", "是"/"否", 1/0 (multipart sends text)."""

    default_error_messages = {"invalid": "须为 true 或 false"}
    TRUE = {True, "1", "true", "True", "是"}
    FALSE = {False, "0", "false", "False", "否", ""}

    def to_internal_value(self, data):
        if isinstance(data, str | int | bool):
            if data in self.TRUE:
                return True
            if data in self.FALSE:
                return False
        self.fail("invalid")

    def to_representation(self, value):
        return bool(value)


class RecordFieldsIn(serializers.Serializer):
    count = serializers.IntegerField(required=False, min_value=1, max_value=INT32_MAX, allow_null=True)
    name = _text(64)
    gender = _text(2)
    studentId = _text(64)
    school = _text(128)
    grade = _text(64)
    date = serializers.DateField(required=False, allow_null=True, input_formats=[DATE_FORMAT])
    time = serializers.TimeField(required=False, allow_null=True, input_formats=TIME_INPUT_FORMATS)
    duration = _text(32)
    visitStatus = _text(64)
    description = _text()
    doctorEvaluation = _text()
    followUpPlan = _text()
    nextVisitPlan = _text()
    crisisStatus = _text(64)
    consultantName = _text(64)
    isThirdPartyEvaluation = BoolText(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = _text(64)
        return fields

    def validate(self, attrs):
        if attrs.get("date"):
            attrs["date"] = attrs["date"].isoformat()
        if attrs.get("time"):
            attrs["time"] = attrs["time"].strftime(TIME_FORMAT)
        return {key: ("" if value is None and key != "count" else value) for key, value in attrs.items()}


class RecordCreateIn(RecordFieldsIn):
    id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, help_text="档案 id")


class RecordUpdateIn(RecordFieldsIn):
    id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, help_text="咨询记录 id")


class EmergencyContactIn(serializers.Serializer):
    name = _text(64)
    relationship = _text(32)
    phone = _text(32)


class IntakeIn(serializers.Serializer):
    name = _text(64)
    gender = _text(2)
    age = _text(8)
    education = _text(64)
    occupation = _text(64)
    maritalStatus = _text(32)
    contact = _text(64)
    emergencyContact = EmergencyContactIn(required=False)
    referral = _text()
    complaint = _text()
    goal = _text()


class IntakeUpdateIn(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, help_text="咨询订单 id")
    profile = IntakeIn()


class DownloadIn(serializers.Serializer):
    fileNames = serializers.ListField(child=StrictCharField(max_length=128), allow_empty=False, max_length=50)


# ---- schedule -------------------------------------------------------------------------------------


class MonthIn(serializers.Serializer):
    year = serializers.IntegerField(min_value=LEAVE_MIN_YEAR, max_value=LEAVE_MAX_YEAR)
    month = serializers.IntegerField(min_value=1, max_value=12)
    organization = StrictCharField(max_length=128, required=False, allow_blank=True, allow_null=True)


class DayIn(serializers.Serializer):
    year = serializers.IntegerField(min_value=LEAVE_MIN_YEAR, max_value=LEAVE_MAX_YEAR)
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

"""Workspace inputs (seed 001). Field names are the seed's (snake_case and camelCase as written)."""

import re

from rest_framework import serializers

from hotline.api.fields import StrictCharField
from hotline.limits import BIGINT_MAX, DATE_INPUT_FORMATS, TIME_INPUT_FORMATS
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
    date_start = serializers.DateField(required=False, allow_null=True, input_formats=DATE_INPUT_FORMATS)
    date_end = serializers.DateField(required=False, allow_null=True, input_formats=DATE_INPUT_FORMATS)
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
    date = serializers.DateField(input_formats=DATE_INPUT_FORMATS)
    time = serializers.TimeField(input_formats=TIME_INPUT_FORMATS)
    contact = StrictCharField(max_length=64)
    key_word = serializers.ListField(child=StrictCharField(max_length=32), max_length=20, allow_empty=True)
    amount = serializers.IntegerField(required=False, min_value=0, max_value=100_000_000, default=0)


class OrderActionIn(serializers.Serializer):
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

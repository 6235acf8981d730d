"""Field checks for identity data; each raises a DRF ValidationError whose text names the problem."""

import re
from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from rest_framework import serializers

MD5_HEX = re.compile(r"^[0-9a-f]{32}$")
MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
USERNAME = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
GENDERS = ("男", "女")
_email = EmailValidator()


def check_md5(value):
    if not MD5_HEX.match(value or ""):
        raise serializers.ValidationError("密码须为MD5后的32位小写十六进制字符串")
    return value


RESERVED_USERNAMES = {"list"}  # would collide with /user/ms/<kind>/list


def check_username(value):
    if not USERNAME.match(value or ""):
        raise serializers.ValidationError("用户名须为2-32位字母、数字、下划线或连字符")
    if value.lower() in RESERVED_USERNAMES:
        raise serializers.ValidationError("该用户名为保留字，请换一个")
    return value


def check_mobile(value):
    if value and not MAINLAND_MOBILE.match(value):
        raise serializers.ValidationError("手机号格式不正确，须为11位中国大陆手机号")
    return value


def id_number_birth_date(value):
    """The birth date encoded in an 18-character ID number, or None when it is not a real date."""
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def check_id_number(value):
    if not value:
        return value
    value = value.upper()
    if not ID_NUMBER.match(value):
        raise serializers.ValidationError("身份证号须为18位")
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != value[17]:
        raise serializers.ValidationError("身份证号校验位不正确")
    born = id_number_birth_date(value)
    if born is None or born > date.today():
        raise serializers.ValidationError("身份证号中的出生日期不正确")
    return value


def check_email(value):
    if not value:
        return value
    try:
        _email(value)
    except DjangoValidationError:
        raise serializers.ValidationError("邮箱格式不正确") from None
    return value


def check_gender(value):
    if value and value not in GENDERS:
        raise serializers.ValidationError("性别须为“男”或“女”")
    return value


def age_from_id_number(value, today=None):
    born = id_number_birth_date(value)
    if born is None:
        return None
    today = today or date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

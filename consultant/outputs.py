"""Every workspace answer's shape, defined once: these serializers render the answers and describe them
in the OpenAPI schema. Times are Asia/Shanghai; empty text is "" (the seed shows every key)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.api.timeutil import SHANGHAI
from hotline.limits import DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT
from messages.files import sign_file_links
from users.exposure import mask_name

from .fields import ARCHIVE_FIELDS, EMERGENCY_CONTACT_FIELDS, RECORD_FIELDS

# the intake profile's text keys, in the seed's order (emergencyContact, an object, after "contact")
INTAKE_FIELDS = ("name", "id", "gender", "age", "education", "occupation", "maritalStatus", "contact")
INTAKE_TAIL = ("referral", "complaint", "goal")


class Text(serializers.CharField):
    """Text rendered as "" when the attribute is empty (None)."""

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return "" if value is None else value


@extend_schema_field(OpenApiTypes.STR)
class ShanghaiTime(serializers.Field):
    """`YYYY-MM-DD HH:MM:SS` in Asia/Shanghai; "" when not set."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return "" if value is None else value

    def to_representation(self, value):
        return value.astimezone(SHANGHAI).strftime(DATETIME_FORMAT) if value else ""


class UserInfoOut(serializers.Serializer):
    userID = serializers.CharField(source="pk")
    userName = serializers.CharField(source="username")
    name = Text()
    phone = Text(source="phone_number")
    email = Text()
    organization = Text(source="institution.name")
    avatar = Text(source="avatar_url")
    approved = serializers.BooleanField(help_text="false while a self-registered account awaits approval")


class LoginOut(serializers.Serializer):
    token = serializers.CharField()
    refresh = serializers.CharField()
    userInfo = UserInfoOut()


class ProfileOut(serializers.Serializer):
    """From a ConsultantProfile (its `user` set)."""

    avatar = Text(source="user.avatar_url")
    username = serializers.CharField(source="user.username")
    name = Text(source="user.name")
    phone = Text(source="user.phone_number")
    email = Text(source="user.email")
    organization = Text(source="user.institution.name")
    approved = serializers.BooleanField(
        source="user.approved", help_text="false while a self-registered account awaits approval"
    )
    introduction = Text()
    experience = Text()
    expertise = Text()
    education = Text()
    certifications = Text()


class AvatarOut(serializers.Serializer):
    avatar = serializers.CharField()


class CommentOut(serializers.Serializer):
    """From an Evaluation of the caller's session; the visitor's name is masked."""

    id = serializers.CharField(source="pk")
    avatar = serializers.SerializerMethodField()
    username = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    organization = Text(source="conversation.user.institution.name")
    time = ShanghaiTime(source="created_at")
    content = serializers.CharField()
    rating = serializers.SerializerMethodField()

    def get_avatar(self, evaluation) -> str:
        return ""

    def get_username(self, evaluation) -> str:
        return mask_name(evaluation.conversation.user.name)

    def get_name(self, evaluation) -> str:
        return mask_name(evaluation.conversation.user.name)

    def get_rating(self, evaluation) -> str:
        return "" if evaluation.level is None else str(evaluation.level)  # rated without a level


class OrderOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_id = serializers.CharField()
    name = serializers.CharField()
    gender = serializers.CharField()
    age = serializers.CharField()
    type = serializers.CharField()
    key_word = serializers.ListField(child=serializers.CharField())
    date = serializers.DateField(format=DATE_FORMAT)
    time = serializers.TimeField(format=TIME_FORMAT)
    commit_time = ShanghaiTime()
    finish_time = ShanghaiTime()
    status = serializers.CharField()
    contact = serializers.CharField()
    amount = serializers.IntegerField(help_text="分")


class OrderPageOut(serializers.Serializer):
    total = serializers.IntegerField()
    data = OrderOut(many=True)


class IdOut(serializers.Serializer):
    id = serializers.IntegerField()


class TodayOut(serializers.Serializer):
    count = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="分")


class CategoryOut(serializers.Serializer):
    online = serializers.IntegerField()
    outline = serializers.IntegerField()


class YearlyOut(serializers.Serializer):
    total = serializers.IntegerField()
    data = serializers.ListField(child=serializers.IntegerField())


class TimeSlotsOut(serializers.Serializer):
    timeSlots = serializers.ListField(child=serializers.IntegerField())
    appointments = serializers.ListField(child=serializers.IntegerField())


class GenderOut(serializers.Serializer):
    male = serializers.IntegerField()
    female = serializers.IntegerField()


class AgeOut(serializers.Serializer):
    values = serializers.ListField(child=serializers.IntegerField(), help_text="1-17, 18-25, …, 55+")


class ArchiveOut(serializers.Serializer):
    """From an Archive annotated with `interview_count`."""

    def get_fields(self):
        fields = {"id": serializers.IntegerField()}
        fields.update({name: serializers.CharField() for name in ARCHIVE_FIELDS})
        fields["interview_count"] = serializers.CharField()
        fields["create_time"] = ShanghaiTime()
        return fields


class ArchivePageOut(serializers.Serializer):
    total = serializers.IntegerField()
    data = ArchiveOut(many=True)


class RecordOut(serializers.Serializer):
    """From an InterviewRecord: its fields under their API names ("class" included), then the images."""

    def get_fields(self):
        fields = {"id": serializers.IntegerField()}
        for api_name, attribute in RECORD_FIELDS.items():
            source = {} if attribute == api_name else {"source": attribute}
            if api_name == "isThirdPartyEvaluation":
                fields[api_name] = serializers.BooleanField(**source)
            else:
                fields[api_name] = Text(**source)
        fields["signatureImage"] = serializers.CharField(source="signature_image")
        fields["attachImage"] = serializers.SerializerMethodField(method_name="first_image")
        fields["attachImages"] = serializers.ListField(source="attach_images", child=serializers.CharField())
        return fields

    @extend_schema_field(OpenApiTypes.STR)
    def first_image(self, record):
        return record.attach_images[0] if record.attach_images else ""

    def to_representation(self, record):
        """The stored image links come signed, so an <img> tag shows them without a token (CONTRACT §11)."""
        data = super().to_representation(record)
        for key in ("signatureImage", "attachImage", "attachImages"):
            data[key] = sign_file_links(data[key])
        return data


class EmergencyContactOut(serializers.Serializer):
    def get_fields(self):
        return {name: serializers.CharField() for name in EMERGENCY_CONTACT_FIELDS}


class IntakeOut(serializers.Serializer):
    """From the intake selector's dict."""

    def get_fields(self):
        fields = {name: serializers.CharField() for name in INTAKE_FIELDS}
        fields["emergencyContact"] = EmergencyContactOut()
        fields.update({name: serializers.CharField() for name in INTAKE_TAIL})
        return fields


class TemplateOut(serializers.Serializer):
    fileName = serializers.CharField(source="file_name")
    fileSize = serializers.CharField(source="size")


class TemplateNamesOut(serializers.Serializer):
    fileNames = serializers.ListField(child=serializers.CharField())


class ImportOut(serializers.Serializer):
    archives = serializers.IntegerField()
    records = serializers.IntegerField()


class SlotOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    work_time = serializers.CharField()


class ScheduleDayOut(serializers.Serializer):
    date = serializers.IntegerField()
    schedules = SlotOut(many=True)


class ScheduleUploadOut(serializers.Serializer):
    days = serializers.IntegerField()


class LeaveOut(serializers.Serializer):
    """From a LeavePeriod (its user loaded)."""

    name = serializers.SerializerMethodField()
    start_time = ShanghaiTime(source="start")
    end_time = ShanghaiTime(source="end")

    def get_name(self, period) -> str:
        return period.user.name or period.user.username

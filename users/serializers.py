"""Input validation and the user JSON of CONTRACT §4."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.api.fields import (
    EpochMsField,
    HandBuilt,
    NullIfBlankCharField,
    RecordSerializer,
    StrictCharField,
    epoch_ms,
)

from .exposure import CONTACT_FIELDS, shown_contacts
from .models import ROLE_BY_TYPE, UserType
from .validators import (
    check_email,
    check_gender,
    check_id_number,
    check_md5,
    check_mobile,
    check_username,
)

BACKEND_ROLES = [
    "ROLE_SYSTEM_ADMINISTRATOR",
    "ROLE_INSTITUTION_ADMINISTRATOR",
    "ROLE_SUPERVISOR",
    "ROLE_COUNSELOR",
]


def _text(max_length=64, **kwargs):
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("allow_null", True)
    return StrictCharField(max_length=max_length, trim_whitespace=True, **kwargs)


class Md5PasswordField(StrictCharField):
    def __init__(self, **kwargs):
        super().__init__(validators=[check_md5], **kwargs)


# ---- inputs -------------------------------------------------------------------------------------


class LoginIn(serializers.Serializer):
    username = StrictCharField(max_length=64)
    password = Md5PasswordField()


class RefreshIn(serializers.Serializer):
    refresh = StrictCharField()


class LogoutIn(serializers.Serializer):
    refresh = StrictCharField(required=False, allow_blank=True)


class ProfileFields(serializers.Serializer):
    """Profile fields shared by the add and update bodies; all optional here."""

    name = _text()
    gender = _text(max_length=2, validators=[check_gender])
    phoneNumber = _text(max_length=20, validators=[check_mobile])
    idNumber = _text(max_length=18, validators=[check_id_number])
    email = _text(max_length=254, validators=[check_email])
    department = _text(max_length=128)
    title = _text()
    age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=150)
    qualification = _text()
    qualificationCode = _text()
    qualificationcode = _text(help_text="seed spelling of qualificationCode")
    emergencyContact = _text()
    emergencyPhone = _text(max_length=20, validators=[check_mobile])
    avatarUrl = _text(max_length=512)


class InstitutionChoice(serializers.Serializer):
    institutionCode = _text(help_text="system administrators only: an existing institution's code")


class BackendUserIn(ProfileFields, InstitutionChoice):
    username = StrictCharField(validators=[check_username])
    password = Md5PasswordField()
    role = serializers.ChoiceField(choices=BACKEND_ROLES)


class StaffCreateIn(ProfileFields, InstitutionChoice):
    username = StrictCharField(validators=[check_username])
    password = Md5PasswordField()
    name = _text(required=True, allow_blank=False, allow_null=False)
    phoneNumber = _text(max_length=20, required=True, validators=[check_mobile])
    idNumber = _text(max_length=18, required=True, validators=[check_id_number])
    supervisors = serializers.ListField(child=StrictCharField(max_length=32), required=False, allow_null=True)
    maxConsults = serializers.IntegerField(required=False, min_value=1, max_value=20)


class StaffUpdateIn(ProfileFields):
    username = StrictCharField(max_length=64)
    password = Md5PasswordField(required=False)
    supervisors = serializers.ListField(child=StrictCharField(max_length=32), required=False, allow_null=True)
    maxConsults = serializers.IntegerField(required=False, min_value=1, max_value=20)


class StaffUpdateByIdIn(StaffUpdateIn):
    """`POST /user/ms/supervisor/{id}` (CONTRACT §12): the path names the user; a `username` sent
    anyway must be that user's."""

    username = StrictCharField(max_length=64, required=False)


class VisitorUpdateIn(serializers.Serializer):
    name = _text()
    gender = _text(max_length=2, validators=[check_gender])
    phoneNumber = _text(max_length=20, validators=[check_mobile])
    emergencyContact = _text()
    emergencyPhone = _text(max_length=20, validators=[check_mobile])
    avatarUrl = _text(max_length=512)
    age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=150)
    username = _text(help_text="ignored: a visitor always updates itself")


class PasswordChangeIn(serializers.Serializer):
    """The new password's format is checked after the old password (CONTRACT §12), by the service."""

    oldPassword = Md5PasswordField()
    password = StrictCharField(required=False, max_length=64, help_text="md5 of the new password")
    newPassword = StrictCharField(
        required=False, max_length=64, help_text="another name for `password` (the original console's)"
    )


class MaxConsultsIn(serializers.Serializer):
    maxConsults = serializers.IntegerField(min_value=1, max_value=20)


class UserListQuery(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=0)
    size = serializers.IntegerField(required=False, min_value=0)
    type = serializers.ChoiceField(choices=UserType.choices, required=False)
    username = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)


class StaffListQuery(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=0)
    size = serializers.IntegerField(required=False, min_value=0)
    name = serializers.CharField(required=False, allow_blank=True)
    department = serializers.CharField(required=False, allow_blank=True)
    gender = serializers.CharField(required=False, allow_blank=True)
    phoneNumber = serializers.CharField(required=False, allow_blank=True)


class ApprovalIn(serializers.Serializer):
    approved = serializers.BooleanField(
        required=False, default=True, help_text="false withdraws the approval; true (the default) grants it"
    )


class WechatPhoneIn(serializers.Serializer):
    encryptedData = StrictCharField(required=False, max_length=8192)
    iv = StrictCharField(required=False, max_length=64)
    code = StrictCharField(required=False, max_length=256)


# ---- outputs ------------------------------------------------------------------------------------


class TokenPairOut(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    tokenType = serializers.CharField(default="Bearer")
    expiresIn = serializers.IntegerField(help_text="access token lifetime in seconds")


class UserSerializer(HandBuilt, serializers.Serializer):
    """The user JSON of CONTRACT §4. `idNumber` only for administrators and the user itself."""

    id = serializers.CharField(read_only=True)
    createTime = EpochMsField(source="created_at")
    createdTime = EpochMsField(source="created_at")
    creator = serializers.CharField(source="creator_id", read_only=True, allow_null=True)
    lastUpdateTime = EpochMsField(source="updated_at")
    lastUpdater = serializers.CharField(source="last_updater_id", read_only=True, allow_null=True)
    institutionCode = serializers.CharField(source="institution.code", read_only=True)
    openId = NullIfBlankCharField(source="open_id")
    name = NullIfBlankCharField()
    username = serializers.CharField(read_only=True)
    avatarUrl = NullIfBlankCharField(source="avatar_url")
    avatar = NullIfBlankCharField(source="avatar_url")
    type = serializers.CharField(read_only=True)
    roles = serializers.CharField(read_only=True)
    gender = NullIfBlankCharField()
    phoneNumber = NullIfBlankCharField(source="phone_number")
    email = NullIfBlankCharField()
    idNumber = serializers.SerializerMethodField()
    department = NullIfBlankCharField()
    title = NullIfBlankCharField()
    age = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    totalTime = serializers.IntegerField(source="total_time", read_only=True)
    qualification = NullIfBlankCharField()
    qualificationCode = NullIfBlankCharField(source="qualification_code")
    supervisors = serializers.SerializerMethodField()
    activated = serializers.BooleanField(read_only=True)
    activateTime = EpochMsField(source="activate_time")
    emergencyContact = NullIfBlankCharField(source="emergency_contact")
    emergencyPhone = NullIfBlankCharField(source="emergency_phone")
    maxConsults = serializers.IntegerField(source="max_consults", read_only=True)
    authorities = serializers.SerializerMethodField()
    enabled = serializers.BooleanField(read_only=True)
    approved = serializers.BooleanField(read_only=True)
    accountNonExpired = serializers.SerializerMethodField()
    accountNonLocked = serializers.SerializerMethodField()
    credentialsNonExpired = serializers.SerializerMethodField()
    subscribe = serializers.SerializerMethodField()

    def to_representation(self, user):
        """Contacts as `users.exposure` lets the context's `viewer` see them (hidden without one: fails
        closed); `open_session` in the context: the user is shown on an open session's conversation.

        The rest is built by hand (`HandBuilt`): DRF's walk over 40 field objects was most of a
        conversation page's rendering time."""
        data = super().to_representation(user)
        data.update(
            shown_contacts(
                self.context.get("viewer"),
                subject_id=user.pk,
                subject_type=user.type,
                contacts={key: data[key] for key in CONTACT_FIELDS},
                open_session=self.context.get("open_session", False),
            )
        )
        return data

    def built(self, user):
        avatar = user.avatar_url or None
        return {
            **RecordSerializer.record(user),
            "institutionCode": str(user.institution.code) if user.institution_id else None,
            "openId": user.open_id or None,
            "name": user.name or None,
            "username": str(user.username),
            "avatarUrl": avatar,
            "avatar": avatar,
            "type": str(user.type),
            "roles": str(user.roles),
            "gender": user.gender or None,
            "phoneNumber": user.phone_number or None,
            "email": user.email or None,
            "idNumber": self.get_idNumber(user),
            "department": user.department or None,
            "title": user.title or None,
            "age": self.get_age(user),
            "state": self.get_state(user),
            "totalTime": int(user.total_time),
            "qualification": user.qualification or None,
            "qualificationCode": user.qualification_code or None,
            "supervisors": self.get_supervisors(user),
            "activated": bool(user.activated),
            "activateTime": epoch_ms(user.activate_time),
            "emergencyContact": user.emergency_contact or None,
            "emergencyPhone": user.emergency_phone or None,
            "maxConsults": int(user.max_consults),
            "authorities": None,
            "enabled": bool(user.enabled),
            "approved": bool(user.approved),
            "accountNonExpired": True,
            "accountNonLocked": user.enabled,
            "credentialsNonExpired": True,
            "subscribe": False,
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_idNumber(self, user):
        viewer = self.context.get("viewer")
        if viewer is not None and (viewer.pk == user.pk or viewer.is_administrator):
            return user.id_number or None
        return None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_state(self, user):
        """Visitors are `NORMAL` unless set otherwise, as the seed's examples show (CONTRACT §12)."""
        if user.state:
            return user.state
        return "NORMAL" if user.type == UserType.VISITOR else None

    @extend_schema_field(serializers.IntegerField())
    def get_age(self, user):
        return user.age or 0

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_supervisors(self, user):
        if user.type != UserType.COUNSELOR:
            return None
        # A list attaches `supervisor_ids` (one query for the page) or prefetches `supervisors`.
        ids = getattr(user, "supervisor_ids", None)
        if ids is None:
            return [supervisor.pk for supervisor in user.supervisors.all()]
        return list(ids)

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_authorities(self, user):
        return None

    @extend_schema_field(serializers.BooleanField())
    def get_accountNonExpired(self, user):
        return True

    @extend_schema_field(serializers.BooleanField())
    def get_accountNonLocked(self, user):
        return user.enabled

    @extend_schema_field(serializers.BooleanField())
    def get_credentialsNonExpired(self, user):
        return True

    @extend_schema_field(serializers.BooleanField())
    def get_subscribe(self, user):
        return False


class MeSerializer(UserSerializer):
    authorities = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField(child=serializers.CharField())))
    def get_authorities(self, user):
        return [{"authority": ROLE_BY_TYPE[user.type]}]


# ---- consent as a record (CONTRACT §10) ----------------------------------------------------------------


class ConsentIn(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="the consent version read in /config")
    guardianName = _text(help_text="required when the visitor's age is 1–13")
    guardianPhone = _text(
        max_length=20,
        validators=[check_mobile],
        help_text="11-digit mainland mobile; required with guardianName",
    )


class ConsentOut(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True, help_text="the version accepted last, or null")
    acceptTime = serializers.IntegerField(help_text="ms; 0 when never accepted")
    current = serializers.IntegerField()
    guardianRequired = serializers.BooleanField()

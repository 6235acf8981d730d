"""Writes on users and sign-in flows. Each public function is one transaction."""

import hashlib
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.api.errors import Forbidden, InvalidParam, LoginFailed, RateLimited
from hotline.crypto import blind_index, hash_values

from . import throttling, tokens, wechat
from .audit import audit_record, identifier_digest
from .consent import consent_erase
from .models import STAFF_TYPES, Institution, User, UserType
from .permissions import check_can_grant
from .scoping import COLLEAGUES, visible_to
from .selectors import access_managed_user
from .signals import capacity_changed, user_created, user_disabled
from .validators import MD5_HEX, age_from_id_number

logger = logging.getLogger(__name__)

USERNAME_TAKEN = "用户名已存在！"

# API field name -> model attribute, for the profile fields any update may carry.
PROFILE_FIELDS = {
    "name": "name",
    "gender": "gender",
    "phoneNumber": "phone_number",
    "idNumber": "id_number",
    "email": "email",
    "department": "department",
    "title": "title",
    "age": "age",
    "qualification": "qualification",
    "qualificationCode": "qualification_code",
    "emergencyContact": "emergency_contact",
    "emergencyPhone": "emergency_phone",
    "avatarUrl": "avatar_url",
}


def md5_hex(plain):
    return hashlib.md5(plain.encode("utf-8")).hexdigest()


def institution_default():
    institution, _ = Institution.objects.get_or_create(
        code=settings.DEFAULT_INSTITUTION, defaults={"name": settings.DEFAULT_INSTITUTION}
    )
    return institution


def _profile_values(data):
    """Model values for the profile fields present in validated input (absent keys are untouched)."""
    values = {}
    if "qualificationcode" in data and "qualificationCode" not in data:
        data = {**data, "qualificationCode": data["qualificationcode"]}
    for api_name, attribute in PROFILE_FIELDS.items():
        if api_name not in data:
            continue
        value = data[api_name]
        if attribute == "age":
            values[attribute] = value
            continue
        value = (value or "").strip()
        if attribute == "id_number":
            value = value.upper()
        values[attribute] = value
    if values.get("id_number") and values.get("age") is None and "age" not in data:
        values["age"] = age_from_id_number(values["id_number"])
    return values


def staff_holding_contact(*, email=None, phone=None, exclude_pk=None):
    """The active counsellor or supervisor whose workspace login name (email, case-insensitive, or phone)
    this is, or None. The one definition both the hotline and the workspace check uniqueness against."""
    if not email and not phone:
        return None
    staff = User.objects.filter(type__in=STAFF_TYPES, deleted_at__isnull=True, deactivated_at__isnull=True)
    if exclude_pk is not None:
        staff = staff.exclude(pk=exclude_pk)
    return (
        staff.filter(email__iexact=email).first()
        if email
        else staff.filter(phone_hash=blind_index(phone)).first()
    )


def check_contacts_free(*, user_type, email=None, phone=None, exclude_pk=None):
    """Email and phone are workspace login names: each belongs to one active counsellor or supervisor."""
    if user_type not in STAFF_TYPES:
        return
    if email and staff_holding_contact(email=email, exclude_pk=exclude_pk):
        raise InvalidParam.field("email", "该邮箱已被其他咨询师或督导使用")
    if phone and staff_holding_contact(phone=phone, exclude_pk=exclude_pk):
        raise InvalidParam.field("phoneNumber", "该手机号已被其他咨询师或督导使用")


def _institution_for_new_user(actor, institution_code):
    if not institution_code:
        return actor.institution
    if institution_code == actor.institution.code:
        return actor.institution
    if not actor.is_system_admin:
        raise Forbidden("只能在本机构内创建用户")
    institution = Institution.objects.filter(code=institution_code).first()
    if institution is None:
        raise InvalidParam.field("institutionCode", "机构不存在")
    return institution


def _supervisors_for(counselor, supervisor_ids):
    """The supervisors a counsellor may be bound to: those of its own institution."""
    ids = list(dict.fromkeys(supervisor_ids))
    supervisors = User.objects.filter(pk__in=ids, type=UserType.SUPERVISOR, deleted_at__isnull=True)
    found = list(visible_to(counselor, supervisors, purpose=COLLEAGUES))
    if len(found) != len(ids):
        missing = sorted(set(ids) - {user.pk for user in found})
        raise InvalidParam.field("supervisors", f"督导不存在: {', '.join(missing)}")
    return found


def user_create(
    *,
    actor,
    username,
    password_md5,
    user_type,
    institution_code=None,
    profile=None,
    supervisor_ids=None,
    max_consults=None,
    ip="",
):
    """Create a staff or administrator account in the actor's institution (or a named one for a
    system administrator). Audited as `user.create` (it grants a role)."""
    check_can_grant(actor, user_type)
    institution = _institution_for_new_user(actor, institution_code)
    values = _profile_values(profile or {})
    check_contacts_free(user_type=user_type, email=values.get("email"), phone=values.get("phone_number"))
    user = User(
        username=username,
        type=user_type,
        institution=institution,
        creator=actor,
        last_updater=actor,
        state="NORMAL",
        **values,
    )
    if max_consults is not None:
        user.max_consults = max_consults
    user.set_password(password_md5)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            if supervisor_ids and user_type == UserType.COUNSELOR:
                user.supervisors.set(_supervisors_for(user, supervisor_ids))
            user_created.send(sender=User, user=user)
            audit_user_change(actor=actor, user=user, action="user.create", ip=ip, detail={"type": user_type})
    except IntegrityError:
        raise InvalidParam(USERNAME_TAKEN) from None
    return user


@transaction.atomic
def staff_update(*, actor, user, data, ip=""):
    """Change the fields present in `data`; `supervisors: []` clears a counsellor's binding. A new
    password is audited."""
    values = _profile_values(data)
    check_contacts_free(
        user_type=user.type, email=values.get("email"), phone=values.get("phone_number"), exclude_pk=user.pk
    )
    for attribute, value in values.items():
        setattr(user, attribute, value)
    if data.get("password"):
        user.set_password(data["password"])
        tokens.revoke_all(user)
        audit_user_change(actor=actor, user=user, action="user.password", ip=ip)
    if data.get("maxConsults") is not None:
        user.max_consults = data["maxConsults"]
    user.last_updater = actor
    user.save()
    if "supervisors" in data and user.type == UserType.COUNSELOR:
        user.supervisors.set(_supervisors_for(user, data["supervisors"] or []))
    if data.get("maxConsults") is not None:
        capacity_changed.send(sender=User, user_id=user.pk)
    return user


@transaction.atomic
def managed_staff_update(*, actor, user_type, data, username=None, user_id=None, ip=""):
    """An administrator updates a supervisor or counsellor it manages, named by username (the seed's
    body) or by id (the path of CONTRACT §12, where a `username` sent anyway must be that user's)."""
    user = access_managed_user(actor, user_id=user_id, username=username, types=[user_type], for_update=True)
    if user_id is not None and data.get("username") not in (None, user.username):
        raise InvalidParam.field("username", "与路径中的用户不一致")
    return staff_update(actor=actor, user=user, data=data, ip=ip)


@transaction.atomic
def managed_staff_delete(*, actor, user_type, username, ip=""):
    user = access_managed_user(actor, username=username, types=[user_type], for_update=True)
    user_delete(actor=actor, user=user, ip=ip)


@transaction.atomic
def managed_user_set_enabled(*, actor, user_id, enabled, ip=""):
    """Ban (`enabled=False`) or re-enable a user the administrator manages."""
    user = access_managed_user(actor, user_id=user_id, for_update=True)
    user_set_enabled(actor=actor, user=user, enabled=enabled, ip=ip)


def audit_user_change(*, actor, user, action, ip="", detail=None):
    """An account change in the audit log: the account by id, with its institution and, for staff, its
    username. A visitor's username is its WeChat openid, which an erasure must not leave behind in a log
    that cannot be edited: visitors are named by id only."""
    named = {} if user.type == UserType.VISITOR else {"username": user.username}
    audit_record(
        actor=actor,
        action=action,
        object_type="user",
        object_ids=[user.pk],
        detail={**named, "institution": user.institution.code, **(detail or {})},
        ip=ip,
    )


@transaction.atomic
def user_delete(*, actor, user, ip=""):
    """Hide and disable a staff user. Their conversations and transcripts stay; the username stays
    reserved because transcripts refer to it as the IM identifier."""
    if user.pk == actor.pk:
        raise InvalidParam("不能删除自己")
    user.deleted_at = timezone.now()
    user.enabled = False
    user.last_updater = actor
    user.save(update_fields=["deleted_at", "enabled", "last_updater", "updated_at"])
    user.supervisees.clear()
    tokens.revoke_all(user)
    audit_user_change(actor=actor, user=user, action="user.delete", ip=ip)
    user_disabled.send(sender=User, user=user, actor=actor)


@transaction.atomic
def user_set_enabled(*, actor, user, enabled, ip=""):
    if user.pk == actor.pk and not enabled:
        raise InvalidParam("不能禁用自己")
    user.enabled = enabled
    user.last_updater = actor
    user.save(update_fields=["enabled", "last_updater", "updated_at"])
    audit_user_change(actor=actor, user=user, action="user.enable" if enabled else "user.ban", ip=ip)
    if not enabled:
        tokens.revoke_all(user)
        user_disabled.send(sender=User, user=user, actor=actor)


@transaction.atomic
def managed_user_set_approved(*, actor, user_id, approved, ip=""):
    """Approve (or withdraw the approval of) a counsellor or supervisor the administrator manages."""
    user = access_managed_user(actor, user_id=user_id, types=STAFF_TYPES, for_update=True)
    return user_set_approved(actor=actor, user=user, approved=approved, ip=ip)


@transaction.atomic
def user_set_approved(*, actor, user, approved, ip=""):
    """Approval puts the account's duty on the hotline; withdrawing it takes it off and ends its open
    conversations through the same hook as a ban (its sign-in stays: it sees its own profile)."""
    user.approved = approved
    user.last_updater = actor
    user.save(update_fields=["approved", "last_updater", "updated_at"])
    audit_user_change(actor=actor, user=user, action="user.approve" if approved else "user.unapprove", ip=ip)
    if not approved:
        user_disabled.send(sender=User, user=user, actor=actor)
    return user


@transaction.atomic
def password_change(*, user, old_md5, new_md5=None, new_md5_alias=None, ip=""):
    """The old password is checked before anything about the new one (CONTRACT §12); `newPassword`
    (`new_md5_alias`) is the original console's name for `password`."""
    if not user.check_password(old_md5):
        raise InvalidParam("原密码错误")
    if new_md5 is not None and new_md5_alias is not None and new_md5 != new_md5_alias:
        raise InvalidParam.field("newPassword", "与 password 不一致")
    name, new_md5 = ("password", new_md5) if new_md5 is not None else ("newPassword", new_md5_alias)
    if new_md5 is None:
        raise InvalidParam.missing("password")
    if not MD5_HEX.match(new_md5):
        raise InvalidParam.field(name, "密码须为MD5后的32位小写十六进制字符串")
    user.set_password(new_md5)
    user.save(update_fields=["password", "updated_at"])
    tokens.revoke_all(user)
    audit_user_change(actor=user, user=user, action="user.password", ip=ip)


@transaction.atomic
def visitor_update(*, user, data):
    """Only the fields sent are written: a ban or a phone number stored meanwhile is never undone."""
    values = _profile_values({key: value for key, value in data.items() if key != "username"})
    for attribute, value in values.items():
        setattr(user, attribute, value)
    user.last_updater = user
    user.save(update_fields=[*values, "last_updater", "updated_at"])
    return user


def counselor_set_max_consults(*, user, max_consults):
    user.max_consults = max_consults
    user.last_updater = user
    user.save(update_fields=["max_consults", "last_updater", "updated_at"])
    capacity_changed.send(sender=User, user_id=user.pk)
    return user


def max_consults_changed(user_id):
    """An operator changed maxConsults outside the API (the admin form)."""
    capacity_changed.send(sender=User, user_id=user_id)


def login_with_password(*, username, password_md5, ip):
    """The hotline login: md5 password, throttled per username and per address."""
    user = User.objects.filter(username=username).first()
    return login_check_password(user=user, password_md5=password_md5, throttle_key=username, ip=ip)


def login_check_password(*, user, password_md5, throttle_key, ip, channel="hotline"):
    """The password rule of every sign-in (hotline and workspace): the found `user` (or None) must be
    active and match, else the failure counts against `throttle_key` and the address. Answers tokens.
    Both outcomes are audited (`channel` names the door)."""
    try:
        throttling.attempt_begin(throttle_key, ip)
    except RateLimited:
        login_failure_record(user=user, identifier=throttle_key, ip=ip, channel=channel, reason="locked")
        raise
    if user is None:
        User().set_password(password_md5)  # same work as a real check, so timing does not reveal usernames
    if user is None or not user.is_active or not user.check_password(password_md5):
        throttling.attempt_failed(throttle_key, ip)
        login_failure_record(user=user, identifier=throttle_key, ip=ip, channel=channel)
        raise LoginFailed()
    return login_succeeded(user=user, throttle_key=throttle_key, ip=ip, channel=channel)


def login_succeeded(*, user, throttle_key, ip, channel="hotline"):
    """After any successful sign-in: give the attempt back, note the time, audit, answer a token pair."""
    throttling.attempt_succeeded(throttle_key, ip)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    login_success_record(user=user, ip=ip, channel=channel)
    return tokens.token_pair(user)


def login_success_record(*, user, ip, channel):
    audit_record(
        actor=user,
        action="login.success",
        object_type="user",
        object_ids=[user.pk],
        detail={"channel": channel},
        ip=ip,
    )


def login_failure_record(*, user, identifier, ip, channel, reason="credentials"):
    """A refused sign-in. The account is named only when the typed name matched one; otherwise the row
    keeps a keyed digest of what was typed (it may be a password typed into the wrong field)."""
    detail = {"channel": channel, "reason": reason}
    if user is None:
        detail["identifier"] = identifier_digest(identifier)
    audit_record(
        actor=user,
        action="login.failure",
        object_type="user",
        object_ids=[user.pk] if user is not None else [],
        detail=detail,
        ip=ip,
    )


def wechat_login(*, appid, code):
    """Silent sign-in or sign-up of a visitor through wx.login's code."""
    app = wechat.app_for(appid)
    session = wechat.code_to_session(app, code)
    openid = session["openid"]
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=openid).first()
        if user is None:
            institution, _ = Institution.objects.get_or_create(
                code=app.institution_code, defaults={"name": app.institution_code}
            )
            user = User(
                username=openid,
                open_id=openid,
                type=UserType.VISITOR,
                institution=institution,
                state="NORMAL",
                activated=True,
                activate_time=timezone.now(),
            )
            user.set_unusable_password()
            try:
                with transaction.atomic():
                    user.save(force_insert=True)
                    user_created.send(sender=User, user=user)
            except IntegrityError:
                user = User.objects.select_for_update().get(username=openid)
        if user.type != UserType.VISITOR:
            raise Forbidden("该微信账号不是访客账号")
        if not user.is_active:
            raise Forbidden("该用户已被禁用")
        user.wx_session_key = session["session_key"]
        user.wx_appid = app.appid
        user.union_id = session.get("unionid") or user.union_id
        user.last_login = timezone.now()
        user.save(update_fields=["wx_session_key", "wx_appid", "union_id", "last_login", "updated_at"])
    return tokens.token_pair(user)


def wechat_phone(*, user, appid, encrypted_data=None, iv=None, code=None):
    """Store and answer the visitor's phone number from encryptedData/iv or from a phone code."""
    app = wechat.app_for(appid)
    if code:
        number = wechat.phone_number_by_code(app, code)
    else:
        if not encrypted_data:
            raise InvalidParam.missing("encryptedData")
        if not iv:
            raise InvalidParam.missing("iv")
        if not user.wx_session_key or user.wx_appid != app.appid:
            raise InvalidParam("未找到微信会话，请先通过该小程序登录")
        data = wechat.decrypt_user_data(user.wx_session_key, encrypted_data, iv, app.appid)
        number = data.get("purePhoneNumber") or data.get("phoneNumber")
        if not number:
            raise InvalidParam("解密数据中没有手机号")
    User.objects.filter(pk=user.pk).update(
        **hash_values(User, {"phone_number": number[:20]}), updated_at=timezone.now()
    )
    return number


# What anonymising a visitor clears (docs/decisions.md, "Audit and retention"): every field that names,
# reaches or identifies the person. Type, institution and dates stay, so the visitor's conversations still
# count in statistics.
ANONYMISED_TEXT_FIELDS = (
    "name",
    "gender",
    "phone_number",
    "email",
    "id_number",
    "department",
    "title",
    "open_id",
    "union_id",
    "wx_appid",
    "wx_session_key",
    "avatar_url",
    "emergency_contact",
    "emergency_phone",
)
ERASED_USERNAME_PREFIX = "erased-"


def visitor_anonymise(*, actor, user):
    """The account row of an erased visitor: personal fields cleared, the username (the WeChat openid)
    replaced, no password, disabled. A new WeChat sign-in of the same person creates a new account.
    The caller holds the user's row lock and clears the visitor's content in the same transaction."""
    tokens.revoke_all(user)
    user_disabled.send(sender=User, user=user, actor=actor)  # IM kick by the old identifier, after commit
    for field in ANONYMISED_TEXT_FIELDS:
        setattr(user, field, "")
    user.username = f"{ERASED_USERNAME_PREFIX}{user.pk}"
    user.age = None
    user.enabled = False
    user.set_unusable_password()
    consent_erase(user)
    user.erased_at = user.erased_at or timezone.now()
    user.last_updater = actor
    user.save(
        update_fields=[
            *ANONYMISED_TEXT_FIELDS,
            "username",
            "age",
            "enabled",
            "password",
            "erased_at",
            "last_updater",
            "updated_at",
        ]
    )
    return user

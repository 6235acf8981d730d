"""Workspace accounts and the personal centre (seed 001 认证, 个人中心). Sign-in, its throttle and the
uniqueness of login names are the hotline's own rules (`users.services`), called with the workspace's
login names (an email or a phone number)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.api.errors import Forbidden, InvalidParam, LoginFailed, RateLimited
from hotline.limits import IMAGE_MAX_BYTES
from messages import files
from messages.tasks import enqueue_import
from users import throttling, tokens
from users.models import Institution, User, UserType
from users.services import (
    USERNAME_TAKEN,
    audit_user_change,
    institution_default,
    login_check_password,
    login_failure_record,
    login_succeeded,
    md5_hex,
    staff_holding_contact,
)
from users.signals import user_disabled

from .. import codes
from ..models import ConsultantProfile
from ..storage import staged_files

ACCOUNT_FIELD = {"email": "email", "phone": "phone_number"}
CONTACT_TAKEN = {"email": "该邮箱已被使用", "phone": "该手机号已被使用"}
CHANNEL = "workspace"  # the sign-in door named in audit rows
PROFILE_FIELDS = ("introduction", "experience", "expertise", "education", "certifications")


def account_user(account_type, account):
    """The active counsellor or supervisor whose login email or phone this is (unique by constraint)."""
    return staff_holding_contact(**{account_type: codes.normalize(account_type, account)})


def _throttle_key(account_type, account):
    return f"{account_type}:{codes.normalize(account_type, account)}"


def _check_contact_free(account_type, value, *, except_user=None):
    if value and staff_holding_contact(
        **{account_type: value}, exclude_pk=except_user.pk if except_user else None
    ):
        raise InvalidParam(CONTACT_TAKEN[account_type])


def login(*, login_type, account_type, account, credential, ip):
    """Answers (user, token pair). A password is checked as the hotline checks it (md5 of the plain)."""
    throttle_key = _throttle_key(account_type, account)
    if login_type != "code":
        user = account_user(account_type, account)
        pair = login_check_password(
            user=user, password_md5=md5_hex(credential), throttle_key=throttle_key, ip=ip, channel=CHANNEL
        )
        return user, pair
    user = account_user(account_type, account)
    try:
        throttling.attempt_begin(throttle_key, ip)
    except RateLimited:
        login_failure_record(user=user, identifier=throttle_key, ip=ip, channel=CHANNEL, reason="locked")
        raise
    try:
        codes.code_verify(channel=account_type, account=account, code=credential)
    except InvalidParam:
        throttling.attempt_failed(throttle_key, ip)
        login_failure_record(user=user, identifier=throttle_key, ip=ip, channel=CHANNEL, reason="code")
        raise
    if user is None or not user.is_active:
        throttling.attempt_failed(throttle_key, ip)
        login_failure_record(user=user, identifier=throttle_key, ip=ip, channel=CHANNEL)
        raise LoginFailed()
    return user, login_succeeded(user=user, throttle_key=throttle_key, ip=ip, channel=CHANNEL)


def register(*, username, account_type, account, password, code):
    value = codes.normalize(account_type, account)
    if User.objects.filter(username=username).exists():
        raise InvalidParam(USERNAME_TAKEN)
    # The code before the contact check: only the address's owner learns that it belongs to a staff account.
    codes.code_verify(channel=account_type, account=value, code=code)
    _check_contact_free(account_type, value)
    # A stranger may register; the account joins the default institution and stays pending (no duty, no
    # visitor data, no conversations) until an administrator of that institution approves it.
    user = User(
        username=username,
        type=UserType.COUNSELOR,
        institution=institution_default(),
        state="NORMAL",
        approved=False,
    )
    setattr(user, ACCOUNT_FIELD[account_type], value)
    user.set_password(md5_hex(password))
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            ConsultantProfile.objects.create(user=user)
            enqueue_import(user)
    except IntegrityError:
        raise InvalidParam(USERNAME_TAKEN) from None
    return user


def password_reset(*, account_type, account, code, new_password, ip=""):
    codes.code_verify(channel=account_type, account=account, code=code)
    user = account_user(account_type, account)
    if user is None:
        raise InvalidParam.field("account", "账号不存在")
    with transaction.atomic():
        user.set_password(md5_hex(new_password))
        user.save(update_fields=["password", "updated_at"])
        tokens.revoke_all(user)
        throttling.clear_failures(_throttle_key(account_type, account))
        audit_user_change(actor=user, user=user, action="user.password", ip=ip, detail={"channel": CHANNEL})


def deactivate(*, user, account_type, account, code, ip=""):
    """Close the account after a valid code: no more sign-ins, tokens dead, contact fields cleared.
    Everything the counsellor recorded stays."""
    current = getattr(user, ACCOUNT_FIELD[account_type]) or ""
    if codes.normalize(account_type, account) != codes.normalize(account_type, current):
        raise InvalidParam.field("account", "与当前账号不符")
    codes.code_verify(channel=account_type, account=account, code=code)
    with transaction.atomic():
        user.deactivated_at = timezone.now()
        user.email = ""
        user.phone_number = ""
        user.emergency_phone = ""
        user.save(update_fields=["deactivated_at", "email", "phone_number", "emergency_phone", "updated_at"])
        tokens.revoke_all(user)
        audit_user_change(actor=user, user=user, action="user.deactivate", ip=ip, detail={"channel": CHANNEL})
        # The same hook as a ban or deletion: conversations end the open sessions, messages kicks the
        # account from the IM service after commit.
        user_disabled.send(sender=User, user=user, actor=user)


def _check_profile(user, profile):
    if profile["username"] != user.username:
        raise InvalidParam.field("profile.username", "用户名不可修改")
    organization = profile["organization"].strip()
    if organization != user.institution.name:
        if organization and Institution.objects.filter(name=organization).exists():
            raise Forbidden("不能自行更换所属机构，请联系管理员")
        raise InvalidParam.field("profile.organization", "须为当前所属机构的名称")
    if not profile["email"].strip() and not profile["phone"].strip():
        raise InvalidParam.field("profile.email", "邮箱和手机号不能同时为空（它们是工作台的登录账号）")
    _check_contact_free("email", profile["email"], except_user=user)
    _check_contact_free("phone", profile["phone"], except_user=user)


def profile_update(*, user, profile):
    """Full overwrite of the personal centre, as the seed says. The username (the IM identifier) and the
    institution cannot be changed here."""
    _check_profile(user, profile)
    with transaction.atomic():
        user.name = profile["name"].strip()
        user.phone_number = profile["phone"].strip()
        user.email = profile["email"].strip().lower()
        user.save(update_fields=["name", "phone_number", "email", "updated_at"])
        ConsultantProfile.objects.update_or_create(
            user=user, defaults={key: profile[key] for key in PROFILE_FIELDS}
        )


def avatar_set(*, user, upload, link):
    """Store the image (public: shown in <img> tags) and point the account at it; answers the URL.
    `link(name)` makes the stored file's download URL."""
    with staged_files() as staged:
        name = files.file_store(
            owner=user,
            upload=upload,
            field="avatar",
            kinds=files.IMAGE_KINDS,
            public=True,
            max_bytes=IMAGE_MAX_BYTES,
        )
        staged.saved_elsewhere(lambda: files.file_path(name).unlink(missing_ok=True))
        url = link(name)
        User.objects.filter(pk=user.pk).update(avatar_url=url, updated_at=timezone.now())
    return url

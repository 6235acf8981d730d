"""Workspace writes: accounts, profile, orders (seed 001). Each function is one transaction."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations.services import conversations_close_for
from hotline.api.errors import Forbidden, InvalidParam, LoginFailed, NotFound
from hotline.api.timeutil import today
from messages.im_accounts import import_after_commit
from users import throttling, tokens
from users.models import Institution, User, UserType
from users.services import institution_default, md5_hex

from . import codes
from .auth import WORKSPACE_TYPES
from .models import ConsultantProfile, Order, OrderStatus

ACCOUNT_FIELD = {"email": "email", "phone": "phone_number"}

# action -> (allowed current statuses, new status)
TRANSITIONS = {
    "accept": ((OrderStatus.PENDING,), OrderStatus.WAITING),
    "reject": ((OrderStatus.PENDING, OrderStatus.WAITING), OrderStatus.REJECTED),
    "start": ((OrderStatus.WAITING,), OrderStatus.IN_PROGRESS),
    "finish": ((OrderStatus.IN_PROGRESS,), OrderStatus.FINISHED),
}
ACTION_NAMES = {"accept": "接单", "reject": "拒绝", "start": "开始咨询", "finish": "结束咨询"}


def account_user(account_type, account):
    """The active counsellor or supervisor whose login email or phone this is (unique by constraint)."""
    value = codes.normalize(account_type, account)
    field = ACCOUNT_FIELD[account_type]
    lookup = {f"{field}__iexact": value} if account_type == "email" else {field: value}
    return User.objects.filter(
        deleted_at__isnull=True, deactivated_at__isnull=True, type__in=WORKSPACE_TYPES, **lookup
    ).first()


def _check_contact_free(account_type, value, *, except_user=None):
    if not value:
        return
    user = account_user(account_type, value)
    if user is not None and (except_user is None or user.pk != except_user.pk):
        raise InvalidParam("该邮箱已被使用" if account_type == "email" else "该手机号已被使用")


def login(*, login_type, account_type, account, credential, ip):
    throttle_key = f"{account_type}:{codes.normalize(account_type, account)}"
    throttling.check_not_locked(throttle_key, ip)
    user = account_user(account_type, account)
    if login_type == "code":
        try:
            codes.code_verify(channel=account_type, account=account, code=credential)
        except InvalidParam:
            throttling.record_failure(throttle_key, ip)
            raise
        if user is None or not user.is_active:
            raise LoginFailed()
    else:
        if user is None:
            User().set_password(md5_hex(credential))
        if user is None or not user.is_active or not user.check_password(md5_hex(credential)):
            throttling.record_failure(throttle_key, ip)
            raise LoginFailed()
    throttling.clear_failures(throttle_key)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return user, tokens.token_pair(user)


def register(*, username, account_type, account, password, code):
    value = codes.normalize(account_type, account)
    if User.objects.filter(username=username).exists():
        raise InvalidParam("用户名已存在！")
    _check_contact_free(account_type, value)
    codes.code_verify(channel=account_type, account=value, code=code)
    user = User(username=username, type=UserType.COUNSELOR, institution=institution_default(), state="NORMAL")
    setattr(user, ACCOUNT_FIELD[account_type], value)
    user.set_password(md5_hex(password))
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            ConsultantProfile.objects.create(user=user)
            import_after_commit(user)
    except IntegrityError:
        raise InvalidParam("用户名已存在！") from None
    return user


def password_reset(*, account_type, account, code, new_password):
    codes.code_verify(channel=account_type, account=account, code=code)
    user = account_user(account_type, account)
    if user is None:
        raise InvalidParam.field("account", "账号不存在")
    with transaction.atomic():
        user.set_password(md5_hex(new_password))
        user.save(update_fields=["password", "updated_at"])
        tokens.revoke_all(user)
        throttling.clear_failures(f"{account_type}:{codes.normalize(account_type, account)}")


def deactivate(*, user, account_type, account, code):
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
        conversations_close_for(user, actor=user)


def profile_update(*, user, profile):
    """Full overwrite of the personal centre, as the seed says. The username (the IM identifier) and the
    institution cannot be changed here."""
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
    with transaction.atomic():
        user.name = profile["name"].strip()
        user.phone_number = profile["phone"].strip()
        user.email = profile["email"].strip().lower()
        user.save(update_fields=["name", "phone_number", "email", "updated_at"])
        ConsultantProfile.objects.update_or_create(
            user=user,
            defaults={
                key: profile[key]
                for key in ("introduction", "experience", "expertise", "education", "certifications")
            },
        )


def avatar_set(*, user, url):
    User.objects.filter(pk=user.pk).update(avatar_url=url, updated_at=timezone.now())


def order_create(*, consultant, data):
    for _ in range(5):
        order_id = f"ZX{today():%Y%m%d}{secrets.randbelow(10**6):06d}"
        try:
            with transaction.atomic():
                return Order.objects.create(
                    consultant=consultant,
                    order_id=order_id,
                    name=data["name"].strip(),
                    age=data["age"],
                    gender=data["gender"],
                    type=data["type"],
                    key_word=data["key_word"],
                    date=data["date"],
                    time=data["time"],
                    contact=data["contact"].strip(),
                    amount=data.get("amount") or 0,
                )
        except IntegrityError:
            continue
    raise InvalidParam("订单号生成失败，请重试")


def order_transition(*, consultant, order_id, action):
    allowed, target = TRANSITIONS[action]
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id, consultant=consultant).first()
        if order is None:
            raise NotFound("订单不存在")
        if order.status not in allowed:
            raise InvalidParam(f"订单当前状态为“{order.status}”，不能{ACTION_NAMES[action]}")
        order.status = target
        if target == OrderStatus.FINISHED:
            order.finish_time = timezone.now()
        order.save(update_fields=["status", "finish_time", "updated_at"])
    return order

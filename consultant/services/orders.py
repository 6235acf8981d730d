"""Consultation orders and their intake profiles (seed 001 咨询列表, 个人档案)."""

import json
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.api.errors import InvalidParam
from hotline.api.timeutil import today
from users.scoping import access

from ..models import IntakeProfile, Order, OrderStatus

# action -> (allowed current statuses, new status)
TRANSITIONS = {
    "accept": ((OrderStatus.PENDING,), OrderStatus.WAITING),
    "reject": ((OrderStatus.PENDING, OrderStatus.WAITING), OrderStatus.REJECTED),
    "start": ((OrderStatus.WAITING,), OrderStatus.IN_PROGRESS),
    "finish": ((OrderStatus.IN_PROGRESS,), OrderStatus.FINISHED),
}
ACTION_NAMES = {"accept": "接单", "reject": "拒绝", "start": "开始咨询", "finish": "结束咨询"}
ORDER_ID_ATTEMPTS = 5


def order_create(*, actor, data):
    """A new order of the caller; its order number is random, so a collision is retried."""
    for _ in range(ORDER_ID_ATTEMPTS):
        order_id = f"ZX{today():%Y%m%d}{secrets.randbelow(10**6):06d}"
        try:
            with transaction.atomic():
                return Order.objects.create(
                    consultant=actor,
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


def order_transition(*, actor, order_id, action):
    allowed, target = TRANSITIONS[action]
    with transaction.atomic():
        order = access(actor, Order.objects.all(), order_id, for_update=True, message="订单不存在")
        if order.status not in allowed:
            raise InvalidParam(f"订单当前状态为“{order.status}”，不能{ACTION_NAMES[action]}")
        order.status = target
        if target == OrderStatus.FINISHED:
            order.finish_time = timezone.now()
        order.save(update_fields=["status", "finish_time", "updated_at"])
    return order


def intake_save(*, actor, order_id, profile):
    """Overwrite the intake profile of one of the caller's orders; answers the order. Missing values are
    stored as "" and nested input becomes plain JSON."""
    profile = json.loads(json.dumps({key: "" if value is None else value for key, value in profile.items()}))
    with transaction.atomic():
        order = access(actor, Order.objects.all(), order_id, message="咨询订单不存在")
        IntakeProfile.objects.update_or_create(order=order, defaults={"data": profile})
    return order

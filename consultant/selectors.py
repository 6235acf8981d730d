"""Workspace reads, always the calling counsellor's own data; dashboards aggregate in the database."""

from datetime import date

from django.db.models import Count, IntegerField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractHour, ExtractMonth

from evaluations.models import Evaluation
from hotline.api.timeutil import SHANGHAI, day_bounds, today
from scheduling.models import Arrangement

from .models import ConsultantProfile, Order, OrderStatus, OrderType

AGE_BUCKETS = [
    ("1-17", 1, 17),
    ("18-25", 18, 25),
    ("26-35", 26, 35),
    ("36-45", 36, 45),
    ("46-55", 46, 55),
    ("55+", 56, 200),
]
COMPOUND_SURNAMES = {
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
    "澹台",
    "轩辕",
    "端木",
    "独孤",
    "南宫",
    "西门",
    "百里",
    "呼延",
    "申屠",
    "太史",
}


def text(value):
    return value or ""


def user_info(user):
    """`userInfo` of the login answer: every key of the seed, "" when empty."""
    return {
        "userID": user.pk,
        "userName": user.username,
        "name": text(user.name),
        "phone": text(user.phone_number),
        "email": text(user.email),
        "organization": text(user.institution.name),
        "avatar": text(user.avatar_url),
    }


def profile_of(user):
    profile = ConsultantProfile.objects.filter(user=user).first() or ConsultantProfile(user=user)
    return {
        "avatar": text(user.avatar_url),
        "username": user.username,
        "name": text(user.name),
        "phone": text(user.phone_number),
        "email": text(user.email),
        "organization": text(user.institution.name),
        "introduction": profile.introduction,
        "experience": profile.experience,
        "expertise": profile.expertise,
        "education": profile.education,
        "certifications": profile.certifications,
    }


def mask_name(name):
    """张三 → 张*, 欧阳娜娜 → 欧阳**: the visitor is never identified to the counsellor."""
    if not name:
        return "匿名访客"
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * max(1, len(name) - keep)


def comments_of(user):
    return (
        Evaluation.objects.filter(conversation__counselor=user, conversation__deleted_at__isnull=True)
        .select_related("conversation__user__institution")
        .order_by("-created_at", "-id")
    )


def comment_row(evaluation):
    visitor = evaluation.conversation.user
    masked = mask_name(visitor.name)
    return {
        "id": evaluation.pk,
        "avatar": "",
        "username": masked,
        "name": masked,
        "organization": text(visitor.institution.name),
        "time": evaluation.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
        "content": evaluation.content,
        "rating": "" if evaluation.level is None else str(evaluation.level),
    }


def orders_filtered(user, *, name=None, date_start=None, date_end=None, order_type=None, status=None):
    queryset = Order.objects.filter(consultant=user)
    if name:
        queryset = queryset.filter(name__icontains=name)
    if date_start:
        queryset = queryset.filter(date__gte=date_start)
    if date_end:
        queryset = queryset.filter(date__lte=date_end)
    if order_type:
        queryset = queryset.filter(type=order_type)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-commit_time", "-id")


def order_row(order):
    return {
        "id": order.pk,
        "order_id": order.order_id,
        "name": order.name,
        "gender": order.gender,
        "age": str(order.age),
        "type": order.type,
        "key_word": order.key_word,
        "date": order.date.isoformat(),
        "time": order.time.strftime("%H:%M"),
        "commit_time": order.commit_time.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
        "finish_time": order.finish_time.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
        if order.finish_time
        else "",
        "status": order.status,
        "contact": order.contact,
        "amount": order.amount,
    }


# ---- dashboard (rejected orders excluded) ------------------------------------------------------------


def _counted(user):
    return Order.objects.filter(consultant=user).exclude(status=OrderStatus.REJECTED)


def _visitors(queryset):
    """Distinct visitors: one (name, contact) pair each."""
    return queryset.values("name", "contact").distinct()


def today_transactions(user):
    start, end = day_bounds(today())
    totals = (
        _counted(user)
        .filter(commit_time__gte=start, commit_time__lt=end)
        .aggregate(count=Count("pk"), amount=Coalesce(Sum("amount"), Value(0), output_field=IntegerField()))
    )
    return {"count": totals["count"], "amount": totals["amount"]}


def category_data(user):
    totals = _counted(user).aggregate(
        online=Count("pk", filter=Q(type=OrderType.ONLINE)),
        outline=Count("pk", filter=Q(type=OrderType.OFFLINE)),
    )
    return {"online": totals["online"], "outline": totals["outline"]}


def yearly_consultations(user):
    year = today().year
    this_year = _counted(user).filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31))
    per_month = dict(
        this_year.annotate(month=ExtractMonth("date"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return {
        "total": _visitors(this_year).count(),
        "data": [per_month.get(month, 0) for month in range(1, 13)],
    }


def time_slot_data(user):
    per_hour = dict(
        _counted(user)
        .annotate(hour=ExtractHour("time"))
        .values("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    duty_hours = set(
        Arrangement.objects.filter(user=user, removed=False, start_time__isnull=False)
        .annotate(hour=ExtractHour("start_time"))
        .values_list("hour", flat=True)
        .distinct()
    )
    slots = sorted(set(per_hour) | duty_hours)
    return {"timeSlots": slots, "appointments": [per_hour.get(hour, 0) for hour in slots]}


def gender_data(user):
    visitors = _visitors(_counted(user))
    return {"male": visitors.filter(gender="男").count(), "female": visitors.filter(gender="女").count()}


def age_data(user):
    """Distinct visitors per age bucket (a visitor counted once, at the highest age of its orders)."""
    visitors = _counted(user).values("name", "contact").annotate(visitor_age=Max("age"))
    buckets = {
        f"b{index}": Count("name", filter=Q(visitor_age__gte=low, visitor_age__lte=high))
        for index, (_, low, high) in enumerate(AGE_BUCKETS)
    }
    totals = visitors.aggregate(**buckets)
    return {"values": [totals[f"b{index}"] for index in range(len(AGE_BUCKETS))]}

"""Workspace reads, each scoped through `users.scoping` (the caller's own orders, case files and leave;
its institution's templates and colleagues). Dashboards aggregate in the database."""

from datetime import date

from django.core.files.storage import default_storage
from django.db.models import Count, IntegerField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractHour, ExtractMonth

from evaluations.models import Evaluation
from hotline.api.errors import Forbidden, InvalidParam, NotFound
from hotline.api.timeutil import day_bounds, today
from hotline.crypto import EncryptedMixin
from scheduling import workspace
from scheduling.models import Arrangement
from users.scoping import OWN, access, visible_to

from .fields import ARCHIVE_FIELDS, EMERGENCY_CONTACT_FIELDS, INTAKE_TEXT_FIELDS
from .models import Archive, ConsultantProfile, IntakeProfile, Order, OrderStatus, OrderType, Template
from .storage import template_path
from .workbooks import BUILTIN_TEMPLATE, builtin_template_bytes

AGE_BUCKETS = [
    ("1-17", 1, 17),
    ("18-25", 18, 25),
    ("26-35", 26, 35),
    ("36-45", 36, 45),
    ("46-55", 46, 55),
    ("55+", 56, 200),
]


# ---- personal centre -------------------------------------------------------------------------------


def profile_of(actor):
    """The caller's personal-centre row (an unsaved empty one until first written)."""
    profile = visible_to(actor, ConsultantProfile.objects.all()).first() or ConsultantProfile()
    profile.user = actor
    return profile


def comments_of(actor):
    """Visitors' evaluations of the caller's counselling sessions, newest first."""
    return (
        visible_to(actor, Evaluation.objects.filter(conversation__deleted_at__isnull=True), purpose=OWN)
        .select_related("conversation__user__institution")
        .order_by("-created_at", "-id")
    )


# ---- orders ---------------------------------------------------------------------------------------


def orders_filtered(actor, *, name=None, date_start=None, date_end=None, order_type=None, status=None):
    queryset = visible_to(actor, Order.objects.all())
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


def intake_of(actor, order_id):
    """The intake profile of one of the caller's orders: the stored one, else the order's own fields."""
    order = access(actor, Order.objects.all(), order_id, message="咨询订单不存在")
    stored = visible_to(actor, IntakeProfile.objects.filter(order=order)).first()
    data = stored.data if stored else {}
    emergency = data.get("emergencyContact") or {}
    return {
        "name": data.get("name") or order.name,
        "id": str(order.pk),
        "gender": data.get("gender") or order.gender,
        "age": str(data.get("age") or order.age),
        **{key: data.get(key, "") for key in INTAKE_TEXT_FIELDS},
        "contact": data.get("contact") or order.contact,
        "emergencyContact": {key: emergency.get(key, "") for key in EMERGENCY_CONTACT_FIELDS},
    }


# ---- dashboard (rejected orders excluded) ------------------------------------------------------------


def _counted(actor):
    return visible_to(actor, Order.objects.all()).exclude(status=OrderStatus.REJECTED)


def _visitors(queryset):
    """Distinct visitors: one (name, contact) pair each."""
    return queryset.values("name", "contact").distinct()


def today_transactions(actor):
    start, end = day_bounds(today())
    totals = (
        _counted(actor)
        .filter(commit_time__gte=start, commit_time__lt=end)
        .aggregate(count=Count("pk"), amount=Coalesce(Sum("amount"), Value(0), output_field=IntegerField()))
    )
    return {"count": totals["count"], "amount": totals["amount"]}


def category_data(actor):
    totals = _counted(actor).aggregate(
        online=Count("pk", filter=Q(type=OrderType.ONLINE)),
        outline=Count("pk", filter=Q(type=OrderType.OFFLINE)),
    )
    return {"online": totals["online"], "outline": totals["outline"]}


def yearly_consultations(actor):
    year = today().year
    this_year = _counted(actor).filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31))
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


def time_slot_data(actor):
    """Orders per appointment hour, over the hours of the orders and of the caller's own work slots."""
    per_hour = dict(
        _counted(actor)
        .annotate(hour=ExtractHour("time"))
        .values("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    duty_hours = set(
        visible_to(actor, Arrangement.objects.filter(removed=False, start_time__isnull=False), purpose=OWN)
        .annotate(hour=ExtractHour("start_time"))
        .values_list("hour", flat=True)
        .distinct()
    )
    slots = sorted(set(per_hour) | duty_hours)
    return {"timeSlots": slots, "appointments": [per_hour.get(hour, 0) for hour in slots]}


def gender_data(actor):
    visitors = _visitors(_counted(actor))
    return {"male": visitors.filter(gender="男").count(), "female": visitors.filter(gender="女").count()}


def age_data(actor):
    """Distinct visitors per age bucket (a visitor counted once, at the highest age of its orders)."""
    visitors = _counted(actor).values("name", "contact").annotate(visitor_age=Max("age"))
    buckets = {
        f"b{index}": Count("name", filter=Q(visitor_age__gte=low, visitor_age__lte=high))
        for index, (_, low, high) in enumerate(AGE_BUCKETS)
    }
    totals = visitors.aggregate(**buckets)
    return {"values": [totals[f"b{index}"] for index in range(len(AGE_BUCKETS))]}


# ---- case files -----------------------------------------------------------------------------------


def archives_filtered(actor, filters):
    """The caller's archives with their record count; every archive field filters (contains). Fields
    encrypted at rest (the evaluation and follow-up plan) cannot be searched in SQL: they are matched
    after decryption, over the rows the other filters left, in one more query."""
    queryset = visible_to(actor, Archive.objects.all()).annotate(interview_count=Count("records"))
    encrypted = {}
    for name in ARCHIVE_FIELDS:
        value = filters.get(name)
        if value in (None, ""):
            continue
        if isinstance(Archive._meta.get_field(name), EncryptedMixin):
            encrypted[name] = str(value).lower()
        else:
            queryset = queryset.filter(**{f"{name}__icontains": value})
    if encrypted:
        rows = queryset.values_list("pk", *encrypted)
        matching = [
            row[0]
            for row in rows
            if all(
                wanted in (text or "").lower()
                for wanted, text in zip(encrypted.values(), row[1:], strict=True)
            )
        ]
        queryset = queryset.filter(pk__in=matching)
    count = filters.get("interview_count")
    if count not in (None, ""):
        try:
            queryset = queryset.filter(interview_count=int(count))
        except (TypeError, ValueError):
            raise InvalidParam.field("interview_count", "须为整数") from None
    return queryset.order_by("-create_time", "-id")


def records_of(actor, archive_id):
    archive = access(actor, Archive.objects.all(), archive_id, message="档案不存在")
    return archive.records.order_by("count", "id")


# ---- templates ------------------------------------------------------------------------------------


def templates_of(actor):
    """The built-in template first, then the institution's by name (Template rows; the first unsaved)."""
    builtin = Template(file_name=BUILTIN_TEMPLATE, size=len(builtin_template_bytes()))
    return [builtin, *visible_to(actor, Template.objects.all()).order_by("file_name")]


def template_files(actor, names):
    """[(file name, bytes)] for names of the caller's institution (the built-in one included)."""
    found = []
    for name in names:
        if name == BUILTIN_TEMPLATE:
            found.append((name, builtin_template_bytes()))
            continue
        template = visible_to(actor, Template.objects.filter(file_name=name)).first()
        path = template_path(template.institution_id, template.stored_name) if template else None
        if path is None or not default_storage.exists(path):
            raise NotFound(f"模板不存在: {name}")
        with default_storage.open(path, "rb") as stored:
            found.append((name, stored.read()))
    return found


# ---- schedule -------------------------------------------------------------------------------------


def month_schedule(actor, *, year, month, organization=""):
    """The month's duty of the caller's institution; naming another organization is refused."""
    organization = (organization or "").strip()
    if organization and organization not in (actor.institution.name, actor.institution.code):
        raise Forbidden("只能查看本机构的排班")
    return workspace.month_schedule(actor=actor, year=year, month=month)


def leave_periods_of(actor):
    return workspace.leave_periods_of(actor)

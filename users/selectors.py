"""Reads of users, already scoped to what the caller may see (CONTRACT §3)."""

from .consent import default_information
from .models import ConsentDocument, User
from .scoping import MANAGE, access, visible_to


def users_base():
    return (
        User.objects.filter(deleted_at__isnull=True)
        .select_related("institution")
        .prefetch_related("supervisors")
    )


def users_managed_by(actor):
    """Users an administrator manages (rule: `users.scoping.MANAGED_USER`)."""
    return visible_to(actor, users_base(), purpose=MANAGE)


def access_managed_user(actor, *, user_id=None, username=None, types=None, for_update=False):
    """The user an administrator wants to act on, or 404 when missing or outside the actor's scope."""
    queryset = users_base().filter(type__in=types) if types else users_base()
    by, key = ("pk", user_id) if user_id is not None else ("username", username)
    return access(actor, queryset, key, by=by, for_update=for_update, purpose=MANAGE, message="用户不存在")


def user_list(actor, *, user_type=None, username=None, name=None):
    queryset = users_managed_by(actor)
    if user_type:
        queryset = queryset.filter(type=user_type)
    if username:
        queryset = queryset.filter(username__icontains=username)
    if name:
        queryset = queryset.filter(name__icontains=name)
    return queryset.order_by("-created_at", "pk")


def staff_list(actor, *, user_type, name=None, department=None, gender=None, phone_number=None):
    queryset = users_managed_by(actor).filter(type=user_type)
    if name:
        queryset = queryset.filter(name__icontains=name)
    if department:
        queryset = queryset.filter(department__icontains=department)
    if gender:
        queryset = queryset.filter(gender=gender)
    if phone_number:
        # Numbers are encrypted at rest, so the seed's fuzzy match runs here, over the phones of the staff
        # of this type the caller manages (one institution's staff: tens, not thousands).
        matching = [pk for pk, phone in queryset.values_list("pk", "phone_number") if phone_number in phone]
        queryset = queryset.filter(pk__in=matching)
    return queryset.order_by("-created_at", "pk")


def user_with_relations(user_id):
    return users_base().get(pk=user_id)


def consent_information():
    document = ConsentDocument.objects.order_by("pk").first()
    return document.information if document is not None else default_information()

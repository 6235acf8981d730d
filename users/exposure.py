"""How much of a person's contact data a viewer sees: the one rule (issue 12, minimum exposure).

Pure functions of plain values, so any renderer can call them: a serializer over model instances, or a
list built from `.values()` rows. Field names are the API's (CONTRACT §4); masked values keep their type
(a string), so clients written from the seeds keep working.

- Nobody given (no viewer): hidden, as from a visitor (fails closed).
- One's own data, and administrators (institution and system: they manage the accounts): full.
- A visitor looking at anyone else: hidden (`None`).
- A counsellor or supervisor looking at a visitor: full only on the conversation object of a session
  that is open (WAITING or IN_PROGRESS) and that they may see; everywhere else (closed sessions in the
  consultation list, any list of users) masked: `138****5678`, `张*`, `z***@example.com`.
- Staff looking at staff: full (colleagues' contacts stay inside the institution; scoping decides who is
  listed at all).
"""

from .models import ADMIN_TYPES, UserType

CONTACT_FIELDS = ("phoneNumber", "email", "emergencyContact", "emergencyPhone", "qualificationCode")

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 澹台 轩辕 端木 独孤 南宫 西门 百里 呼延 申屠 太史".split()
)
FULL = "full"
MASKED = "masked"
HIDDEN = "hidden"


def mask_name(name):
    """张三 → 张*, 欧阳娜娜 → 欧阳**: the visitor is never identified to the counsellor."""
    if not name:
        return "匿名访客"
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * max(1, len(name) - keep)


def mask_phone(number):
    """13812345678 → 138****5678; shorter numbers keep only their first and last digit."""
    if len(number) >= 8:
        return number[:3] + "*" * (len(number) - 7) + number[-4:]
    if len(number) > 2:
        return number[0] + "*" * (len(number) - 2) + number[-1]
    return "*" * len(number)


def mask_email(address):
    """zhang@example.com → z****@example.com."""
    local, at, domain = address.partition("@")
    return (local[:1] + "*" * max(1, len(local) - 1)) + at + domain


# How each field is masked (a visitor has no qualification code to mask).
MASKERS = {
    "phoneNumber": mask_phone,
    "emergencyPhone": mask_phone,
    "emergencyContact": mask_name,
    "email": mask_email,
}


def contact_exposure(viewer, *, subject_id, subject_type, open_session=False):
    """FULL, MASKED or HIDDEN: how `viewer` sees the contacts of the user `subject_id` (of `subject_type`);
    `open_session`: they are shown on the conversation object of an open session the viewer may see."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return HIDDEN
    if viewer.pk == subject_id or viewer.type in ADMIN_TYPES:
        return FULL
    if viewer.type == UserType.VISITOR:
        return HIDDEN
    if subject_type == UserType.VISITOR:
        return FULL if open_session else MASKED
    return FULL


def shown_contacts(viewer, *, subject_id, subject_type, contacts, open_session=False):
    """`contacts` (API field name → value, any of CONTACT_FIELDS) as `viewer` may see them: unchanged,
    masked (empty values stay empty) or all `None`."""
    exposure = contact_exposure(
        viewer, subject_id=subject_id, subject_type=subject_type, open_session=open_session
    )
    if exposure == FULL:
        return dict(contacts)
    if exposure == HIDDEN:
        return dict.fromkeys(contacts)
    return {
        key: MASKERS[key](value) if value and key in MASKERS else value for key, value in contacts.items()
    }

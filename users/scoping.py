"""What may this actor see: the one home of institution and ownership scoping.

Every read of another person's data goes through `visible_to(actor, queryset)` (a list) or
`access(actor, queryset, pk, ...)` (one object, 404 outside the scope, optionally row-locked). No view,
serializer or selector filters by owner or institution by hand.

Rules are keyed by model label and written as field paths, so this module needs no import from the apps
above `users` (the layer order stays one-way). A queryset whose model has no rule here raises
`ScopeMissing`: a new model is invisible until someone writes its rule (deny by default).

A model may be scoped for more than one purpose: `READ` (what the actor may look at, the default),
`MANAGE` (what an administrator may change), `SCHEDULE` (whose work slots a staff member may set) and
`COLLEAGUES` (the people an actor works with inside its
institution: the counsellor a visitor picks, the supervisors a counsellor is bound to). `RULES` holds
the read rules; `PURPOSE_RULES` the others, keyed by (label, purpose).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q

from hotline.api.errors import NotFound

from .models import UserType

READ = "read"
MANAGE = "manage"
COLLEAGUES = "colleagues"
SCHEDULE = "schedule"
OWN = "own"
# The operators' read-only admin pages: a system administrator every row, an institution administrator the
# rows of its institution (by the institution of the row's people), nobody else any.
OPERATE = "operate"

EVERYONE_BUT_ADMINS = (UserType.INSTITUTION, UserType.SUPERVISOR, UserType.COUNSELOR, UserType.VISITOR)


class ScopeMissing(LookupError):
    """A queryset was scoped for a model that has no rule: a programming error, never a silent leak."""


@dataclass(frozen=True)
class Rule:
    """Field paths from the scoped model to the people and institution it belongs to.

    institution: path to the institution's id: institution administrators see these rows.
    owners: paths to users that own the row outright (a conversation's visitor and counsellor, an
        order's consultant).
    supervised: paths to users (counsellors) whose bound supervisors may see the row; matched with a
        subquery, so rows never repeat.
    peers: actor types that see every row of their own institution (e.g. duty, shared templates).
    admin_excludes: field lookups (relative to the scoped model) of rows institution administrators do
        not see (they do not manage system administrators). A mapping rather than a Q so that the rule
        can be seen through a relation (`_prefixed`).
    """

    institution: str | None = None
    owners: tuple[str, ...] = ()
    supervised: tuple[str, ...] = ()
    peers: tuple[str, ...] = ()
    admin_excludes: Mapping[str, object] | None = field(default=None, compare=False)
    # False: a system administrator sees every institution's rows (`institution` set) but, like anyone,
    # only its own among the owned ones (quick replies: another person's personal ones stay theirs).
    system_admin_sees_owned: bool = True
    # False: an institution administrator never owns or supervises these rows, so its rows are exactly its
    # institution's. Leaving out the owner clauses is only a narrowing, and it lets the planner walk the
    # institution's index instead of OR-ing four conditions over a join (performance, issue 13).
    institution_admin_owns: bool = True

    def q(self, actor):
        if actor is None or not getattr(actor, "is_authenticated", False):
            return None
        if actor.type == UserType.ADMIN:
            if self.system_admin_sees_owned:
                return Q()
            clauses = Q(**{f"{self.institution}__isnull": False}) if self.institution else Q(pk__in=[])
            for path in self.owners:
                clauses |= Q(**{path: actor.pk})
            return clauses
        clauses = Q(pk__in=[])
        if actor.type == UserType.INSTITUTION and self.institution:
            institution = Q(**{self.institution: actor.institution_id})
            if self.admin_excludes:
                institution &= ~Q(**self.admin_excludes)
            clauses |= institution
            if not self.institution_admin_owns:
                return clauses
        if actor.type in self.peers and self.institution:
            clauses |= Q(**{self.institution: actor.institution_id})
        for path in self.owners:
            clauses |= Q(**{path: actor.pk})
        if actor.type == UserType.SUPERVISOR and self.supervised:
            supervisees = actor.supervisees.values("pk")
            for path in self.supervised:
                clauses |= Q(**{f"{path}__in": supervisees})
        return clauses


def _prefixed(rule, prefix):
    """The same rule seen through a relation (a message is visible when its conversation is)."""
    return Rule(
        institution=f"{prefix}__{rule.institution}" if rule.institution else None,
        owners=tuple(f"{prefix}__{path}" for path in rule.owners),
        supervised=tuple(f"{prefix}__{path}" for path in rule.supervised),
        peers=rule.peers,
        admin_excludes=(
            {f"{prefix}__{path}": value for path, value in rule.admin_excludes.items()}
            if rule.admin_excludes
            else None
        ),
        system_admin_sees_owned=rule.system_admin_sees_owned,
        institution_admin_owns=rule.institution_admin_owns,
    )


# Conversations: a system administrator all; an institution administrator its institution; a counsellor
# its own (as counsellor, or as the requesting counsellor of a supervision); a supervisor its own and those
# of the counsellors bound to it; a visitor its own. The counsellor a session was transferred to also
# reads the session it came from, and so its transcript (CONTRACT §10, Transfer).
CONVERSATION = Rule(
    institution="institution_id",
    owners=("user_id", "counselor_id", "transferred_to__counselor_id"),
    supervised=("counselor_id", "user_id"),
    # Conversations are between visitors, counsellors and supervisors: an institution administrator is
    # never one of their people.
    institution_admin_owns=False,
)

# Users an administrator manages: institution administrators manage their institution except system
# administrators; everyone else manages nobody (their own profile is read through `request.user`).
MANAGED_USER = Rule(
    institution="institution_id", admin_excludes={"type__in": (UserType.ADMIN, UserType.INSTITUTION)}
)

# Duty is public inside an institution: its staff and visitors see who is on duty (/arrange/theday).
DUTY = Rule(institution="user__institution_id", peers=EVERYONE_BUT_ADMINS)

# The people of one's own institution (a system administrator: everyone).
COLLEAGUE = Rule(institution="institution_id", peers=EVERYONE_BUT_ADMINS)

RULES: dict[str, Rule] = {
    "users.User": MANAGED_USER,
    "scheduling.Arrangement": DUTY,
    "scheduling.WeeklyDuty": DUTY,
    "conversations.Conversation": CONVERSATION,
    "evaluations.Evaluation": _prefixed(CONVERSATION, "conversation"),
    "hotline_messages.Message": _prefixed(CONVERSATION, "conversation"),
    # Crisis alerts (CONTRACT §10): whoever may see the session; the endpoints admit only supervisors
    # and administrators.
    "conversations.Alert": _prefixed(CONVERSATION, "conversation"),
    # Chat files (CONTRACT §11): a stored file is its uploader's; a file linked by a message of a
    # conversation is readable by whoever may read that conversation's transcript (`may_download_file`).
    "hotline_messages.ChatFile": Rule(owners=("uploader_id",)),
    "hotline_messages.ChatFileLink": _prefixed(CONVERSATION, "conversation"),
    # ---- workspace (consultant app, seed 001) ----------------------------------------------------------
    # A counsellor's orders, intake profiles and case files (archives and their records) are its own;
    # templates are shared within the institution; leave periods are the counsellor's. The staff whose
    # duty the workspace's month schedule shows are `COLLEAGUES` of the caller.
    "consultant.Order": Rule(owners=("consultant_id",)),
    "consultant.IntakeProfile": Rule(owners=("order__consultant_id",)),
    "consultant.Archive": Rule(owners=("consultant_id",)),
    "consultant.InterviewRecord": Rule(owners=("archive__consultant_id",)),
    "consultant.ConsultantProfile": Rule(owners=("user_id",)),
    "consultant.Template": Rule(
        institution="institution_id", peers=(UserType.COUNSELOR, UserType.SUPERVISOR)
    ),
    "scheduling.LeavePeriod": Rule(owners=("user_id",)),
    # ---- care (CONTRACT §10) ---------------------------------------------------------------------------
    # Consent records: the visitor's own; administrators of its institution.
    "users.ConsentRecord": Rule(institution="user__institution_id", owners=("user_id",)),
    # Quick replies: an institution's shared replies to its staff and administrators, personal ones to
    # their owner (a shared reply has no owner, a personal one no `shared_institution`).
    "quickreplies.QuickReply": Rule(
        institution="shared_institution_id",
        owners=("owner_id",),
        peers=(UserType.SUPERVISOR, UserType.COUNSELOR),
        system_admin_sees_owned=False,
    ),
}

PURPOSE_RULES: dict[tuple[str, str], Rule] = {
    ("users.User", MANAGE): MANAGED_USER,
    ("users.User", COLLEAGUES): COLLEAGUE,
    # Whose work slots a counsellor or supervisor may set by spreadsheet (CONTRACT §9): its own, and a
    # supervisor's also those of the counsellors bound to it.
    ("users.User", SCHEDULE): Rule(owners=("pk",), supervised=("pk",)),
    # Duty rows are changed by the administrators who manage their user.
    ("scheduling.Arrangement", MANAGE): _prefixed(MANAGED_USER, "user"),
    # One's own duty rows and work slots (the workspace dashboard's hours).
    ("scheduling.Arrangement", OWN): Rule(owners=("user_id",)),
    # Ratings of one's own counselling sessions (the workspace's comments).
    ("evaluations.Evaluation", OWN): Rule(owners=("conversation__counselor_id",)),
    ("scheduling.WeeklyDuty", MANAGE): _prefixed(MANAGED_USER, "user"),
    # A visitor's own consent acceptances (GET/PUT /consent, the rule of PUT /conversation).
    ("users.ConsentRecord", OWN): Rule(owners=("user_id",)),
    # Quick replies one may edit or delete: one's own, and a shared one by its institution's administrators.
    ("quickreplies.QuickReply", MANAGE): Rule(
        institution="shared_institution_id", owners=("owner_id",), system_admin_sees_owned=False
    ),
    # The admin's read-only pages (users/adminsite.py `OperatorReadOnlyAdmin`).
    ("conversations.Conversation", OPERATE): Rule(institution="institution_id"),
    ("conversations.Alert", OPERATE): Rule(institution="institution_id"),
    ("evaluations.Evaluation", OPERATE): Rule(institution="conversation__institution_id"),
    ("hotline_messages.Message", OPERATE): Rule(institution="conversation__institution_id"),
    ("scheduling.Arrangement", OPERATE): Rule(institution="user__institution_id"),
    ("scheduling.WeeklyDuty", OPERATE): Rule(institution="user__institution_id"),
    ("scheduling.LeavePeriod", OPERATE): Rule(institution="user__institution_id"),
    ("consultant.Order", OPERATE): Rule(institution="consultant__institution_id"),
    ("consultant.IntakeProfile", OPERATE): Rule(institution="order__consultant__institution_id"),
    ("consultant.Archive", OPERATE): Rule(institution="consultant__institution_id"),
    ("consultant.InterviewRecord", OPERATE): Rule(institution="archive__consultant__institution_id"),
}


def rule_for(model, purpose=READ):
    label = model._meta.label
    try:
        return RULES[label] if purpose == READ else PURPOSE_RULES[(label, purpose)]
    except KeyError:
        raise ScopeMissing(f"no {purpose} scoping rule for {label}") from None


def visible_to(actor, queryset, *, purpose=READ):
    """The rows of `queryset` the actor may see (an empty queryset for an anonymous actor)."""
    clauses = rule_for(queryset.model, purpose).q(actor)
    if clauses is None:
        return queryset.none()
    return queryset.filter(clauses)


def access(actor, queryset, pk, *, for_update=False, message="对象不存在", purpose=READ, by="pk"):
    """One object the actor may see (the row whose `by` field is `pk`), or 404 (`message`) when it is
    missing or outside the scope; `for_update` locks that row (only that row: joins stay unlocked)."""
    scoped = visible_to(actor, queryset, purpose=purpose)
    if for_update:
        scoped = queryset.filter(pk__in=scoped.values("pk")).select_for_update(of=("self",))
    obj = scoped.filter(**{by: pk}).first()
    if obj is None:
        raise NotFound(message)
    return obj


def may_download_file(actor, *, uploads, links):
    """Whether the actor may download a stored file, given the file's `ChatFile` rows (`uploads`) and
    `ChatFileLink` rows (`links`): its uploader, and the readers of a conversation whose messages link it
    (participants, their supervisors, administrators of the institution). At most two queries.
    Avatars (`avatar~` names) are public and never reach this rule (<img> tags send no token)."""
    return visible_to(actor, uploads).exists() or visible_to(actor, links).exists()

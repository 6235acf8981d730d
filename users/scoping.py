"""What may this actor see: the one home of institution and ownership scoping.

Every read of another person's data goes through `visible_to(actor, queryset)` (a list) or
`access(actor, queryset, pk, ...)` (one object, 404 outside the scope, optionally row-locked). No view,
serializer or selector filters by owner or institution by hand.

Rules are keyed by model label and written as field paths, so this module needs no import from the apps
above `users` (the layer order stays one-way). A queryset whose model has no rule here raises
`ScopeMissing`: a new model is invisible until someone writes its rule (deny by default).
"""

from dataclasses import dataclass, field

from django.db.models import Q

from hotline.api.errors import NotFound

from .models import UserType


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
    admin_excludes: a Q applied for institution administrators (they do not manage system admins).
    """

    institution: str | None = None
    owners: tuple[str, ...] = ()
    supervised: tuple[str, ...] = ()
    peers: tuple[str, ...] = ()
    admin_excludes: Q | None = field(default=None, compare=False)

    def q(self, actor):
        if actor is None or not getattr(actor, "is_authenticated", False):
            return None
        if actor.type == UserType.ADMIN:
            return Q()
        clauses = Q(pk__in=[])
        if actor.type == UserType.INSTITUTION and self.institution:
            institution = Q(**{self.institution: actor.institution_id})
            if self.admin_excludes is not None:
                institution &= ~self.admin_excludes
            clauses |= institution
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
    )


# Conversations: a system administrator all; an institution administrator its institution; a counsellor
# its own (as counsellor, or as the requesting counsellor of a supervision); a supervisor its own and those
# of the counsellors bound to it; a visitor its own.
CONVERSATION = Rule(
    institution="institution_id",
    owners=("user_id", "counselor_id"),
    supervised=("counselor_id", "user_id"),
)

# Users an administrator manages: institution administrators manage their institution except system
# administrators; everyone else manages nobody (their own profile is read through `request.user`).
MANAGED_USER = Rule(institution="institution_id", admin_excludes=Q(type=UserType.ADMIN))

RULES: dict[str, Rule] = {
    "users.User": MANAGED_USER,
    "conversations.Conversation": CONVERSATION,
    "evaluations.Evaluation": _prefixed(CONVERSATION, "conversation"),
    "hotline_messages.Message": _prefixed(CONVERSATION, "conversation"),
    # ---- workspace (consultant app, seed 001) ----------------------------------------------------------
    # A counsellor's orders, intake profiles and case files (archives and their records) are its own;
    # templates are shared within the institution; leave periods are the counsellor's.
    # "users.User:colleagues": the staff of the caller's institution, whose duty the workspace's month
    # schedule shows and whom a schedule upload may name.
    "consultant.Order": Rule(owners=("consultant_id",)),
    "consultant.IntakeProfile": Rule(owners=("order__consultant_id",)),
    "consultant.Archive": Rule(owners=("consultant_id",)),
    "consultant.InterviewRecord": Rule(owners=("archive__consultant_id",)),
    "consultant.ConsultantProfile": Rule(owners=("user_id",)),
    "consultant.Template": Rule(
        institution="institution_id", peers=(UserType.COUNSELOR, UserType.SUPERVISOR)
    ),
    "scheduling.LeavePeriod": Rule(owners=("user_id",)),
    "users.User:colleagues": Rule(
        institution="institution_id", peers=(UserType.COUNSELOR, UserType.SUPERVISOR)
    ),
}


def rule_for(model, purpose=None):
    """The rule of `model`, or of one named use of it (`purpose`: the key `label:purpose`)."""
    label = model._meta.label if purpose is None else f"{model._meta.label}:{purpose}"
    try:
        return RULES[label]
    except KeyError:
        raise ScopeMissing(f"no scoping rule for {label}") from None


def visible_to(actor, queryset, *, purpose=None):
    """The rows of `queryset` the actor may see (an empty queryset for an anonymous actor)."""
    clauses = rule_for(queryset.model, purpose).q(actor)
    if clauses is None:
        return queryset.none()
    return queryset.filter(clauses)


def access(actor, queryset, pk, *, for_update=False, message="对象不存在", purpose=None):
    """One object the actor may see, or 404 (`message`) when it is missing or outside the scope."""
    scoped = visible_to(actor, queryset, purpose=purpose)
    if for_update:
        scoped = queryset.filter(pk__in=scoped.values("pk")).select_for_update(of=("self",))
    obj = scoped.filter(pk=pk).first()
    if obj is None:
        raise NotFound(message)
    return obj

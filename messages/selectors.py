"""Reads of the message archive, scoped to the caller (rule: `users.scoping`, through the conversation)."""

from django.db.models import Q

from conversations.selectors import access_conversation_people
from users.scoping import visible_to

from .models import Message

# A transcript's order (index `msg_perf_transcript`, migration 0007) and the columns its web shape shows.
TRANSCRIPT_ORDER = ("msg_time", "msg_seq", "created_at", "id")
WEB_FIELDS = (
    "id",
    "from_account",
    "to_account",
    "msg_time",
    "msg_seq",
    "msg_random",
    "msg_key",
    "send_msg_result",
    "is_revoked",
    "cloud_custom_data",
    "msg_body",
)


def _between_participants(actor, conversation, *, for_count=False):
    """A conversation's messages the actor may read, recall placeholders excluded. Only messages between
    the conversation's two participants count: a client's stale or forged CloudCustomData cannot put
    someone else's words into this transcript.

    The same set is spelled two ways for PostgreSQL (migrations 0007, 0009). A count spells the pair as
    IN lists, which index `msg_perf_pair` answers alone. A walk in time order spells it as ORs, which that
    index cannot take as index conditions: with IN lists the planner underestimates a scan of it (it
    multiplies the conditions' selectivities) and prefers it plus a sort of the whole conversation (15 ms
    at 10 000 messages) to the ordered walk of `msg_perf_transcript` (1 ms to its middle)."""
    first, second = conversation.user.username, conversation.counselor.username
    if for_count:
        pair = Q(from_account__in=[first, second], to_account__in=[first, second])
    else:
        pair = (Q(from_account=first) | Q(from_account=second)) & (Q(to_account=first) | Q(to_account=second))
    return visible_to(actor, Message.objects.filter(pair, conversation_id=conversation.pk, placeholder=False))


def messages_of(actor, conversation):
    """A conversation's messages the actor may read (see `_between_participants`), in time order (MsgTime,
    then MsgSeq)."""
    # `raw` (the whole callback body, encrypted) is never shown: not loaded, not decrypted.
    return _between_participants(actor, conversation).defer("raw").order_by(*TRANSCRIPT_ORDER)


def transcript_of(actor, conversation_id):
    """The conversation the actor may see (404 otherwise), and the identifier whose messages are
    `flow: out` for it: its own when it takes part, else the visitor's."""
    conversation = access_conversation_people(actor, conversation_id)
    participants = {conversation.user.username, conversation.counselor.username}
    own = actor.username if actor.username in participants else conversation.user.username
    return conversation, own


def transcript_page(actor, conversation, *, page, size):
    """One page of a transcript: (rows as WEB_FIELDS dicts, total, next page or None). Two queries: the
    count, then the page's rows.

    The page's keys are walked in the transcript index from whichever end is nearer (the last page of
    10 000 messages skips no entry backwards instead of 9 900 forwards), in a subquery of the rows' query;
    the rows are then read by primary key alone: the keys are already scoped, and the full filter would
    tempt PostgreSQL into scanning the whole conversation."""
    total = _between_participants(actor, conversation, for_count=True).count()
    offset = (page - 1) * size
    if offset >= total:
        return [], total, None
    take = min(size, total - offset)
    messages = messages_of(actor, conversation).values("pk")
    if offset <= total - offset - take:
        keys = messages[offset : offset + take]
    else:
        skipped = total - offset - take
        keys = messages.reverse()[skipped : skipped + take]
    rows = list(Message.objects.filter(pk__in=keys).order_by(*TRANSCRIPT_ORDER).values(*WEB_FIELDS))
    return rows, total, page + 1 if offset + size < total else None

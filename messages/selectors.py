"""Reads of the message archive, scoped to the caller (rule: `users.scoping`, through the conversation)."""

from conversations.selectors import access_conversation_people
from users.scoping import visible_to

from .models import Message


def messages_of(actor, conversation):
    """A conversation's messages the actor may read, in time order (MsgTime, then MsgSeq); recall
    placeholders excluded. Only messages between the conversation's two participants count: a client's
    stale or forged CloudCustomData cannot put someone else's words into this transcript."""
    pair = [conversation.user.username, conversation.counselor.username]
    rows = Message.objects.filter(
        conversation_id=conversation.pk, placeholder=False, from_account__in=pair, to_account__in=pair
    )
    # `raw` (the whole callback body, encrypted) is never shown: not loaded, not decrypted.
    return visible_to(actor, rows).defer("raw").order_by("msg_time", "msg_seq", "created_at", "id")


def transcript_of(actor, conversation_id):
    """The messages of a conversation the actor may see (404 otherwise), and the identifier whose
    messages are `flow: out` for it: its own when it takes part, else the visitor's."""
    conversation = access_conversation_people(actor, conversation_id)
    participants = {conversation.user.username, conversation.counselor.username}
    own = actor.username if actor.username in participants else conversation.user.username
    return messages_of(actor, conversation), own

from .models import Message


def messages_of(conversation):
    """A conversation's messages in time order (MsgTime, then MsgSeq); recall placeholders excluded."""
    return Message.objects.filter(conversation_id=conversation.pk, placeholder=False).order_by(
        "msg_time", "msg_seq", "created_at", "id"
    )

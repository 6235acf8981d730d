from django.db import IntegrityError, transaction

from conversations.constants import ConversationStatus, ConversationType
from conversations.models import Conversation
from hotline.api.errors import InvalidParam
from users.scoping import access

from .models import Evaluation


def evaluation_create(*, visitor, conversation_id, level, content):
    """The visitor rates its own session once, after it has started."""
    sessions = Conversation.objects.filter(type=ConversationType.COUNSELING_SESSION, deleted_at__isnull=True)
    conversation = access(visitor, sessions, conversation_id, message="会话不存在")
    if conversation.status == ConversationStatus.WAITING:
        raise InvalidParam.field("conversationId", "会话尚未开始，不能评价")
    try:
        with transaction.atomic():
            return Evaluation.objects.create(
                conversation=conversation, level=level, content=content or "", creator=visitor
            )
    except IntegrityError:
        raise InvalidParam.field("conversationId", "该会话已评价") from None

from django.db import IntegrityError, transaction

from conversations.constants import ConversationStatus, ConversationType
from conversations.models import Conversation
from hotline.api.errors import InvalidParam
from users.scoping import access

from .models import Evaluation

DUPLICATE_MESSAGE = "评价已存在"


def check_can_evaluate(*, visitor, conversation_id):
    """The visitor's own session, not yet rated and no longer waiting. Runs before the body's other
    fields are validated, so a repeated rating always answers "评价已存在" (CONTRACT §12)."""
    sessions = Conversation.objects.filter(type=ConversationType.COUNSELING_SESSION, deleted_at__isnull=True)
    conversation = access(visitor, sessions, conversation_id, message="会话不存在")
    if Evaluation.objects.filter(conversation=conversation).exists():
        raise InvalidParam(DUPLICATE_MESSAGE)
    if conversation.status == ConversationStatus.WAITING:
        raise InvalidParam.field("conversationId", "会话尚未开始，不能评价")
    return conversation


def evaluation_create(*, conversation, visitor, level, content):
    """Rate once; `level` may be None (then it counts in no average). The unique conversation keeps
    two simultaneous ratings to one."""
    try:
        with transaction.atomic():
            return Evaluation.objects.create(
                conversation=conversation, level=level, content=content or "", creator=visitor
            )
    except IntegrityError:
        raise InvalidParam(DUPLICATE_MESSAGE) from None

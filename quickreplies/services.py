from django.db import transaction

from hotline.api.errors import Forbidden, InvalidParam
from hotline.limits import QUICK_REPLIES_MAX
from users.models import Institution, User
from users.scoping import MANAGE, access

from .models import QuickReply, QuickReplyScope

NOT_FOUND = "快捷回复不存在"


@transaction.atomic
def quickreply_create(*, actor, content, scope=QuickReplyScope.PERSONAL):
    """A personal reply for any staff member; a shared one for an administrator's own institution. The
    holder's row is locked so that the per-holder limit stays exact under concurrent requests."""
    if scope == QuickReplyScope.INSTITUTION:
        if not actor.is_administrator:
            raise Forbidden("仅管理员可以创建机构快捷回复")
        Institution.objects.select_for_update().get(pk=actor.institution_id)
        holder = {"shared_institution_id": actor.institution_id}
    else:
        User.objects.select_for_update().only("pk").get(pk=actor.pk)
        holder = {"owner_id": actor.pk}
    if QuickReply.objects.filter(**holder).count() >= QUICK_REPLIES_MAX:
        raise InvalidParam(f"快捷回复最多 {QUICK_REPLIES_MAX} 条，请先删除不用的")
    return QuickReply.objects.create(scope=scope, content=content, creator=actor, **holder)


def _access_managed(actor, reply_id):
    return access(
        actor, QuickReply.objects.all(), reply_id, for_update=True, purpose=MANAGE, message=NOT_FOUND
    )


@transaction.atomic
def quickreply_update(*, actor, reply_id, content):
    """One's own reply, or a shared one of the institution one administers (404 otherwise)."""
    reply = _access_managed(actor, reply_id)
    reply.content = content
    reply.save(update_fields=["content", "updated_at"])
    return reply


@transaction.atomic
def quickreply_delete(*, actor, reply_id):
    _access_managed(actor, reply_id).delete()

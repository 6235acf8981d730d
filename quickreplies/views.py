"""Quick replies (CONTRACT §10, the peers' canned answers): staff and administrators; visitors 403."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from hotline.api.envelope import ok
from hotline.api.inputs import validated
from hotline.api.schema import envelope, responses
from users.permissions import IsApproved, IsStaffOrAdministrator

from . import selectors, services
from .serializers import QuickReplyEditIn, QuickReplyIn, QuickReplyOut, render

REPLY_ENVELOPE = envelope("QuickReplyEnvelope", QuickReplyOut)


class QuickReplyViewSet(viewsets.ViewSet):
    # A pending workspace account talks to nobody yet (CONTRACT §9): 403 like the conversation actions.
    permission_classes = [IsAuthenticated, IsStaffOrAdministrator, IsApproved]

    @extend_schema(
        summary="快捷回复列表 (机构共享在前，个人在后)",
        responses=responses(envelope("QuickReplyListEnvelope", QuickReplyOut, many=True)),
    )
    def list_replies(self, request):
        return ok([render(row) for row in selectors.quick_replies_for(request.user)])

    @extend_schema(summary="新建快捷回复", request=QuickReplyIn, responses=responses(REPLY_ENVELOPE))
    def create(self, request):
        data = validated(QuickReplyIn, request.data)
        reply = services.quickreply_create(actor=request.user, content=data["content"], scope=data["scope"])
        return ok(render(reply))

    @extend_schema(summary="修改快捷回复", request=QuickReplyEditIn, responses=responses(REPLY_ENVELOPE))
    def update(self, request, reply_id):
        data = validated(QuickReplyEditIn, request.data)
        reply = services.quickreply_update(actor=request.user, reply_id=reply_id, content=data["content"])
        return ok(render(reply))

    @extend_schema(summary="删除快捷回复", request=None, responses=responses(envelope("OkEnvelope")))
    def delete(self, request, reply_id):
        services.quickreply_delete(actor=request.user, reply_id=reply_id)
        return ok("ok")

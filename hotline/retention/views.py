"""`POST /user/erase/{userId}`: an administrator carries out a visitor's erasure request (issue 12)."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from hotline.api.client import client_ip
from hotline.api.envelope import ok
from hotline.api.schema import envelope, responses
from users.permissions import IsAdministrator
from users.selectors import user_with_relations
from users.serializers import UserSerializer

from . import services


# Erasure of a visitor's personal data (administrators of the visitor's institution; others 404).
class ErasureViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(
        summary="删除访客个人数据 (匿名化，保留统计)",
        description="Anonymises the visitor (name, contacts, ID number, emergency contact, WeChat identity and "
        "username cleared or replaced; sign-in no longer possible), deletes its transcripts and blanks its "
        "evaluation comments; conversations and ratings stay for statistics. Refused (400/-2) while the "
        "visitor has an open conversation. Audited.",
        request=None,
        responses=responses(envelope("ErasedUserEnvelope", UserSerializer), errors=(400, 401, 403, 404)),
    )
    def erase(self, request, user_id):
        user = services.visitor_erase(actor=request.user, user_id=user_id, ip=client_ip(request))
        fresh = user_with_relations(user.pk)
        return ok(UserSerializer(fresh, context={"viewer": request.user}).data)

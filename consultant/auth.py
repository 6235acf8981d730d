"""Workspace authentication: the hotline's JWT, sent as `token` in the body (or a Bearer header), and the
body's `userID` must name the same user (seed 001 认证说明, CONTRACT §3, §9)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework.permissions import BasePermission

from hotline.api.authentication import BODY, HEADER, BearerAuthentication
from hotline.api.errors import Forbidden, NotAuthenticated
from users.models import UserType
from users.permissions import IsApproved

WORKSPACE_TYPES = (UserType.COUNSELOR, UserType.SUPERVISOR)


def _body_value(request, name):
    """From the body only: tokens in URLs end up in access logs."""
    data = request.data
    if hasattr(data, "get"):
        value = data.get(name)
        if value not in (None, ""):
            return value
    return None


class WorkspaceTokenAuthentication(BearerAuthentication):
    token_sources = (BODY, HEADER)


class UserIdMatchesToken(BasePermission):
    """`userID` (string or number) must be the token's user; then the caller must be workspace staff."""

    require_user_id = True

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            raise NotAuthenticated()
        user_id = _body_value(request, "userID")
        if user_id in (None, ""):
            user_id = _body_value(request, "user_id")  # the schedule endpoints' spelling
        if user_id in (None, ""):
            if self.require_user_id:
                raise NotAuthenticated()
        elif isinstance(user_id, bool) or str(user_id) != str(user.pk):
            raise NotAuthenticated()
        if user.type not in WORKSPACE_TYPES:
            raise Forbidden("仅咨询师可以使用工作台")
        return True


class ApprovedStaff(IsApproved):
    """After the caller is known: an account pending approval (self-registered) is refused 403/-5
    `账号待审核` by every workspace action that is not listed as open to it (`WorkspaceViewSet.pending_allowed`)."""


class TokenOnly(UserIdMatchesToken):
    """For /auth/deactivate, whose seed body carries the token but no userID (checked when present)."""

    require_user_id = False


class WorkspaceTokenScheme(OpenApiAuthenticationExtension):
    """In the schema: the body's `token` (documented on each request) or the same Bearer JWT."""

    target_class = "consultant.auth.WorkspaceTokenAuthentication"
    name = "workspaceBearerAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="AUTHORIZATION", token_prefix="Bearer", bearer_format="JWT"
        )

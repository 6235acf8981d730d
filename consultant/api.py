"""The workspace's view plumbing shared by every viewset: authentication, parsers, multipart input."""

from rest_framework import viewsets
from rest_framework.parsers import FormParser, MultiPartParser

from hotline.api.errors import InvalidParam
from hotline.api.parsers import BoundedJSONParser
from hotline.api.permissions import PublicMixin

from .auth import ApprovedStaff, TokenOnly, UserIdMatchesToken, WorkspaceTokenAuthentication

FILE_FIELDS = ("signatureImage", "attachImages")  # a record's images, read apart from its fields
PAGE_SIZE_NAMES = ("pageSize", "page_size")  # seed 001 writes both


class WorkspaceViewSet(viewsets.ViewSet):
    """Every workspace route is a POST bound to one action in `urls.py`."""

    authentication_classes = [WorkspaceTokenAuthentication]
    permission_classes = [UserIdMatchesToken]
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]
    # actions whose seed body carries no userID: the token alone names the caller (checked when sent)
    token_only = ()
    # actions an account pending approval may call (its own profile and duty); every other action
    # needs an approved account, so a new action is closed to strangers unless listed here
    pending_allowed = ()
    approval_required = True

    def get_permissions(self):
        permissions = [TokenOnly()] if self.action in self.token_only else super().get_permissions()
        if self.approval_required and self.action not in self.pending_allowed:
            permissions.append(ApprovedStaff())
        return permissions


class PublicWorkspaceViewSet(PublicMixin, WorkspaceViewSet):
    """Sign-in endpoints: no token."""

    approval_required = False


def form_data(request, ignore=()):
    """Multipart/JSON body as a plain dict; an empty form field means "not given" (the seed's examples
    send every field as ""), files are read separately, `ignore`d fields are dropped."""
    data = request.data
    if hasattr(data, "dict"):
        data = {key: data.get(key) for key in data.keys() if key not in FILE_FIELDS}
    elif not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if value != "" and key not in ignore}


def uploads(request, field):
    """The files sent under `field` (none for a JSON body)."""
    return request.FILES.getlist(field) if hasattr(request.FILES, "getlist") else []


def one_upload(request, field="files", *, several="一次只能导入一个文件"):
    """The single file of an import: missing or several (`several` says so) → 400."""
    found = uploads(request, field)
    if not found:
        raise InvalidParam.missing(field)
    if len(found) > 1:
        raise InvalidParam.field(field, several)
    return found[0]


def file_link(request):
    """How a stored chat-file name becomes its absolute download URL for this request's host."""
    return lambda name: request.build_absolute_uri(f"/file/download?fileName={name}")

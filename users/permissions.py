"""Who may call what. One layer reused by every app: role checks here, object scoping in selectors."""

from rest_framework.permissions import BasePermission

from hotline.api.errors import Forbidden

from .models import ADMIN_TYPES, UserType


class _TypeRequired(BasePermission):
    allowed_types: tuple = ()
    message = "无权访问"

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 for anonymous callers
        if user.type not in self.allowed_types:
            raise Forbidden(self.message)
        return True


class IsAdministrator(_TypeRequired):
    """System or institution administrators."""

    allowed_types = ADMIN_TYPES


class IsVisitor(_TypeRequired):
    allowed_types = (UserType.VISITOR,)
    message = "仅访客可以操作"


class IsVisitorUpdatingSelf(IsVisitor):
    message = "您不是访客，请勿修改"


class IsCounselor(_TypeRequired):
    allowed_types = (UserType.COUNSELOR,)
    message = "仅咨询师可以操作"


class IsStaffOrAdministrator(_TypeRequired):
    """Everyone but visitors: counsellors, supervisors, administrators."""

    allowed_types = (*ADMIN_TYPES, UserType.SUPERVISOR, UserType.COUNSELOR)


PENDING_APPROVAL = "账号待审核"


class IsApproved(BasePermission):
    """A self-registered account pending approval signs in and sees its own profile, nothing of
    visitors (CONTRACT §9). Visitors and staff created by administrators are approved."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not user.approved:
            raise Forbidden(PENDING_APPROVAL)
        return True


def check_can_grant(actor, user_type):
    """Administrators are made by the level above: an institution administrator creates neither system
    administrators nor other institution administrators."""
    if user_type in (UserType.ADMIN, UserType.INSTITUTION) and not actor.is_system_admin:
        raise Forbidden("机构管理员不能创建管理员账号")


# For a ViewSet whose actions differ in who may call them: `action_permissions` maps an action to the
# permission classes that replace the ViewSet's `permission_classes` for that action.
class ActionPermissions:
    action_permissions: dict = {}

    def get_permissions(self):
        classes = self.action_permissions.get(self.action, self.permission_classes)
        return [permission() for permission in classes]

"""The seed's paths of sign-in and account management, bound to ViewSet actions method by method."""

from hotline.api.routing import both

from .views import (
    AccountViewSet,
    AuthViewSet,
    ConsentViewSet,
    CounselorViewSet,
    SupervisorViewSet,
    UserViewSet,
)

urlpatterns = [
    *both("auth/login", AuthViewSet.as_view({"post": "login"}), "auth-login"),
    *both("auth/refresh", AuthViewSet.as_view({"post": "refresh"}), "auth-refresh"),
    *both("logout", AuthViewSet.as_view({"post": "logout"}), "logout"),
    *both("auth/wx/<username:appid>/login", AuthViewSet.as_view({"post": "wechat_login"}), "wx-login"),
    *both("auth/me", AccountViewSet.as_view({"get": "me"}), "auth-me"),
    *both("wx/user/<username:appid>/phone", AccountViewSet.as_view({"post": "wechat_phone"}), "wx-phone"),
    *both("user/password", AccountViewSet.as_view({"post": "change_password"}), "user-password"),
    *both("user/update", AccountViewSet.as_view({"post": "update_visitor"}), "user-update"),
    *both("user/maxconsults", AccountViewSet.as_view({"post": "set_max_consults"}), "user-maxconsults"),
    *both("user/ms", UserViewSet.as_view({"put": "create_backend_user"}), "user-ms"),
    *both("user/list", UserViewSet.as_view({"get": "list_users"}), "user-list"),
    *both("user/ban/<hexid:user_id>", UserViewSet.as_view({"post": "ban"}), "user-ban"),
    *both("user/active/<hexid:user_id>", UserViewSet.as_view({"post": "activate"}), "user-active"),
    *both(
        "user/approve/<hexid:user_id>",
        UserViewSet.as_view({"put": "approve", "post": "set_approval"}),
        "user-approve",
    ),
    *both("user/ms/supervisor", SupervisorViewSet.as_view({"put": "create", "post": "update"}), "supervisor"),
    *both("user/ms/counselor", CounselorViewSet.as_view({"put": "create", "post": "update"}), "counselor"),
    *both("user/ms/supervisor/list", SupervisorViewSet.as_view({"get": "list_staff"}), "supervisor-list"),
    *both("user/ms/counselor/list", CounselorViewSet.as_view({"get": "list_staff"}), "counselor-list"),
    *both(
        "user/ms/supervisor/<username:username>",
        SupervisorViewSet.as_view({"post": "update_by_id", "delete": "delete"}),
        "supervisor-by-path",
    ),
    *both(
        "user/ms/counselor/<username:username>",
        CounselorViewSet.as_view({"post": "update_by_id", "delete": "delete"}),
        "counselor-by-path",
    ),
    *both("consent", ConsentViewSet.as_view({"get": "status", "put": "accept"}), "consent"),
]

from hotline.api.routing import both

from . import views
from .models import UserType

S, C = UserType.SUPERVISOR, UserType.COUNSELOR

urlpatterns = [
    *both("auth/login", views.LoginView.as_view(), "auth-login"),
    *both("auth/refresh", views.RefreshView.as_view(), "auth-refresh"),
    *both("logout", views.LogoutView.as_view(), "logout"),
    *both("auth/me", views.MeView.as_view(), "auth-me"),
    *both("auth/wx/<username:appid>/login", views.WechatLoginView.as_view(), "wx-login"),
    *both("wx/user/<username:appid>/phone", views.WechatPhoneView.as_view(), "wx-phone"),
    *both("user/ms", views.BackendUserView.as_view(), "user-ms"),
    *both("user/list", views.UserListView.as_view(), "user-list"),
    *both("user/ms/supervisor", views.StaffView.as_view(user_type=S), "supervisor"),
    *both("user/ms/counselor", views.StaffView.as_view(user_type=C), "counselor"),
    *both("user/ms/supervisor/list", views.StaffListView.as_view(user_type=S), "supervisor-list"),
    *both("user/ms/counselor/list", views.StaffListView.as_view(user_type=C), "counselor-list"),
    *both(
        "user/ms/supervisor/<username:username>",
        views.StaffByPathView.as_view(user_type=S),
        "supervisor-by-path",
    ),
    *both(
        "user/ms/counselor/<username:username>",
        views.StaffByPathView.as_view(user_type=C),
        "counselor-by-path",
    ),
    *both("user/ban/<hexid:user_id>", views.UserEnableView.as_view(enabled=False), "user-ban"),
    *both("user/active/<hexid:user_id>", views.UserEnableView.as_view(enabled=True), "user-active"),
    *both("user/password", views.PasswordView.as_view(), "user-password"),
    *both("user/update", views.VisitorUpdateView.as_view(), "user-update"),
    *both("user/maxconsults", views.MaxConsultsView.as_view(), "user-maxconsults"),
]

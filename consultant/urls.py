"""The workspace's routes: the seed's paths (and its misspelt twins), each bound to one viewset action.
Every workspace endpoint is a POST."""

from hotline.api.routing import both

from .views.accounts import AccountViewSet, AuthViewSet, ProfileViewSet
from .views.archives import ArchiveViewSet
from .views.orders import DashboardViewSet, OrderViewSet
from .views.schedule import ScheduleViewSet
from .views.templates import TemplateViewSet

W = "api/consultant/"


def post(route, viewset, action, name):
    return both(route, viewset.as_view({"post": action}), name)


urlpatterns = [
    *post(W + "auth/login", AuthViewSet, "login", "ws-login"),
    *post(W + "auth/register", AuthViewSet, "register", "ws-register"),
    *post(W + "auth/email", AuthViewSet, "send_email_code", "ws-email-code"),
    *post("api/consult/auth/phone", AuthViewSet, "send_phone_code", "ws-phone-code-seed"),
    *post(W + "auth/phone", AuthViewSet, "send_phone_code", "ws-phone-code"),
    *post(W + "auth/reset-password", AuthViewSet, "reset_password", "ws-reset-password"),
    *post(W + "auth/deactivate", AccountViewSet, "deactivate", "ws-deactivate"),
    *post(W + "dashboard/today-transactions", DashboardViewSet, "today_transactions", "ws-today"),
    *post(W + "dashboard/category-data", DashboardViewSet, "category_data", "ws-category"),
    *post(W + "dashboard/yearly-consultations", DashboardViewSet, "yearly_consultations", "ws-yearly"),
    *post(W + "dashboard/time-slot-data", DashboardViewSet, "time_slot_data", "ws-time-slots"),
    *post(W + "dashboard/gender-data", DashboardViewSet, "gender_data", "ws-gender"),
    *post(W + "dashboard/age-data", DashboardViewSet, "age_data", "ws-age"),
    *post(W + "orders", OrderViewSet, "list", "ws-orders"),
    *post(W + "orders/create", OrderViewSet, "create", "ws-order-create"),
    *post(W + "orders/accept", OrderViewSet, "accept", "ws-order-accept"),
    *post(W + "orders/reject", OrderViewSet, "reject", "ws-order-reject"),
    *post(W + "orders/start", OrderViewSet, "start", "ws-order-start"),
    *post(W + "orders/finish", OrderViewSet, "finish", "ws-order-finish"),
    *post(W + "user/profile", ProfileViewSet, "profile", "ws-profile"),
    *post(W + "user/updateProfile", ProfileViewSet, "update_profile", "ws-update-profile"),
    *post(W + "updateAvatar", ProfileViewSet, "update_avatar", "ws-avatar"),
    *post("api/consuntant/user/comments", ProfileViewSet, "comments", "ws-comments-seed"),
    *post(W + "user/comments", ProfileViewSet, "comments", "ws-comments"),
    *post(W + "interview/records", ArchiveViewSet, "list", "ws-archives"),
    *post("api/consuntant/interview/records/create", ArchiveViewSet, "create", "ws-archive-create-seed"),
    *post(W + "interview/records/create", ArchiveViewSet, "create", "ws-archive-create"),
    *post(W + "interview/records/delete", ArchiveViewSet, "destroy", "ws-archive-delete"),
    *post(W + "interview/records/profile", ArchiveViewSet, "records", "ws-archive-records"),
    *post(W + "interview/records/profile/create", ArchiveViewSet, "record_create", "ws-record-create"),
    *post(W + "interview/records/profile/update", ArchiveViewSet, "record_update", "ws-record-update"),
    *post(W + "interview/records/personal-profile", OrderViewSet, "intake", "ws-intake"),
    *post(W + "interview/records/personal-profile/update", OrderViewSet, "intake_update", "ws-intake-update"),
    *post(W + "interview/upload/template", TemplateViewSet, "upload", "ws-template-upload"),
    *post(W + "interview/template/list", TemplateViewSet, "list", "ws-template-list"),
    *post(W + "interview/download", TemplateViewSet, "download", "ws-template-download"),
    *post(W + "interview/upload/records", ArchiveViewSet, "import_records", "ws-records-import"),
    *post(W + "schedule/work", ScheduleViewSet, "month", "ws-schedule-month"),
    *post(W + "schedule/work/update", ScheduleViewSet, "work_day_update", "ws-schedule-day"),
    *post(W + "schedule/upload", ScheduleViewSet, "upload", "ws-schedule-upload"),
    *post(W + "schedule/stop", ScheduleViewSet, "leave", "ws-leave"),
    *post(W + "schedule/stop/update", ScheduleViewSet, "leave_update", "ws-leave-update"),
]

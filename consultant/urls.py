from hotline.api.routing import both

from . import views, views_records, views_schedule

W = "api/consultant/"

urlpatterns = [
    *both(W + "auth/login", views.LoginView.as_view(), "ws-login"),
    *both(W + "auth/register", views.RegisterView.as_view(), "ws-register"),
    *both(W + "auth/email", views.SendEmailCodeView.as_view(), "ws-email-code"),
    *both("api/consult/auth/phone", views.SendPhoneCodeView.as_view(), "ws-phone-code-seed"),
    *both(W + "auth/phone", views.SendPhoneCodeView.as_view(), "ws-phone-code"),
    *both(W + "auth/reset-password", views.ResetPasswordView.as_view(), "ws-reset-password"),
    *both(W + "auth/deactivate", views.DeactivateView.as_view(), "ws-deactivate"),
    *both(W + "dashboard/today-transactions", views.dashboard_today, "ws-today"),
    *both(W + "dashboard/category-data", views.dashboard_category, "ws-category"),
    *both(W + "dashboard/yearly-consultations", views.dashboard_yearly, "ws-yearly"),
    *both(W + "dashboard/time-slot-data", views.dashboard_time_slots, "ws-time-slots"),
    *both(W + "dashboard/gender-data", views.dashboard_gender, "ws-gender"),
    *both(W + "dashboard/age-data", views.dashboard_age, "ws-age"),
    *both(W + "orders", views.OrderListView.as_view(), "ws-orders"),
    *both(W + "orders/create", views.OrderCreateView.as_view(), "ws-order-create"),
    *both(W + "orders/accept", views.order_action_view("accept", "接单 (待接单→等待中)"), "ws-order-accept"),
    *both(
        W + "orders/reject",
        views.order_action_view("reject", "拒绝 (待接单/等待中→已拒绝)"),
        "ws-order-reject",
    ),
    *both(W + "orders/start", views.order_action_view("start", "开始咨询 (等待中→咨询中)"), "ws-order-start"),
    *both(
        W + "orders/finish", views.order_action_view("finish", "结束咨询 (咨询中→已结束)"), "ws-order-finish"
    ),
    *both(W + "user/profile", views.ProfileView.as_view(), "ws-profile"),
    *both(W + "user/updateProfile", views.UpdateProfileView.as_view(), "ws-update-profile"),
    *both(W + "updateAvatar", views.UpdateAvatarView.as_view(), "ws-avatar"),
    *both("api/consuntant/user/comments", views.CommentsView.as_view(), "ws-comments-seed"),
    *both(W + "user/comments", views.CommentsView.as_view(), "ws-comments"),
    *both(W + "interview/records", views_records.ArchiveListView.as_view(), "ws-archives"),
    *both(
        "api/consuntant/interview/records/create",
        views_records.ArchiveCreateView.as_view(),
        "ws-archive-create-seed",
    ),
    *both(W + "interview/records/create", views_records.ArchiveCreateView.as_view(), "ws-archive-create"),
    *both(W + "interview/records/delete", views_records.ArchiveDeleteView.as_view(), "ws-archive-delete"),
    *both(W + "interview/records/profile", views_records.ArchiveRecordsView.as_view(), "ws-archive-records"),
    *both(
        W + "interview/records/profile/create", views_records.RecordCreateView.as_view(), "ws-record-create"
    ),
    *both(
        W + "interview/records/profile/update", views_records.RecordUpdateView.as_view(), "ws-record-update"
    ),
    *both(W + "interview/records/personal-profile", views_records.IntakeView.as_view(), "ws-intake"),
    *both(
        W + "interview/records/personal-profile/update",
        views_records.IntakeUpdateView.as_view(),
        "ws-intake-update",
    ),
    *both(W + "interview/upload/template", views_records.TemplateUploadView.as_view(), "ws-template-upload"),
    *both(W + "interview/template/list", views_records.TemplateListView.as_view(), "ws-template-list"),
    *both(W + "interview/download", views_records.TemplateDownloadView.as_view(), "ws-template-download"),
    *both(W + "interview/upload/records", views_records.RecordsImportView.as_view(), "ws-records-import"),
    *both(W + "schedule/work", views_schedule.WorkMonthView.as_view(), "ws-schedule-month"),
    *both(W + "schedule/work/update", views_schedule.WorkDayUpdateView.as_view(), "ws-schedule-day"),
    *both(W + "schedule/upload", views_schedule.ScheduleUploadView.as_view(), "ws-schedule-upload"),
    *both(W + "schedule/stop", views_schedule.LeaveListView.as_view(), "ws-leave"),
    *both(W + "schedule/stop/update", views_schedule.LeaveUpdateView.as_view(), "ws-leave-update"),
]

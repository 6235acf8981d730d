from django.conf import settings
from django.contrib import admin
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from consultant.urls import urlpatterns as consultant_urls
from conversations.urls import urlpatterns as conversation_urls
from evaluations.urls import urlpatterns as evaluation_urls
from hotline.api import views as api_views
from hotline.api.metrics import metrics_view
from hotline.api.routing import both
from hotline.dashboard.views import dashboard
from hotline.retention.urls import urlpatterns as retention_urls
from messages.urls import callback_urlpatterns
from messages.urls import urlpatterns as message_urls
from quickreplies.urls import urlpatterns as quickreply_urls
from scheduling.urls import urlpatterns as scheduling_urls
from users.urls import urlpatterns as user_urls

admin.site.site_header = "心院热线运营后台"
admin.site.site_title = "心院热线"

urlpatterns = [
    # The busiest write path first: a literal route, it shadows nothing (messages/urls.py).
    *callback_urlpatterns,
    # The operators' dashboard, inside the admin (its sign-in and session), before the admin's catch-all.
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="admin_dashboard"),
    path("admin/", admin.site.urls),
    *both("health", api_views.HealthView.as_view(), "health"),
    *both("metrics", metrics_view, "metrics"),
    *user_urls,
    *scheduling_urls,
    *conversation_urls,
    *evaluation_urls,
    *message_urls,
    *consultant_urls,
    *quickreply_urls,
    *retention_urls,
]

if settings.API_DOCS:
    urlpatterns += [
        *both("api/schema", SpectacularAPIView.as_view(), "schema"),
        *both("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), "docs"),
    ]

# Anything else: the envelope's 404, for every method (no HTML page, no redirect).
urlpatterns.append(re_path(r"^.*$", api_views.not_found))

handler400 = "hotline.api.views.bad_request"
handler403 = "hotline.api.views.permission_denied"
handler404 = "hotline.api.views.not_found"
handler500 = "hotline.api.views.server_error"

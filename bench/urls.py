"""Production routes with the ceilings in front of them (hotline.urls ends with a catch-all 404)."""

from django.urls import path

from hotline.urls import handler400, handler403, handler404, handler500  # noqa: F401
from hotline.urls import urlpatterns as hotline_urlpatterns

from . import views

urlpatterns = [
    path("bench/ceiling/read", views.ceiling_read),
    path("bench/ceiling/write", views.ceiling_write),
    *hotline_urlpatterns,
]

"""The Django admin with the audited site as its default (`admin.site`, `@admin.register`): listed in
INSTALLED_APPS instead of `django.contrib.admin`. Kept free of model imports (loaded with the settings)."""

from django.contrib.admin.apps import AdminConfig


class HotlineAdminConfig(AdminConfig):
    default_site = "users.adminsite.AuditedAdminSite"

"""The operators' admin site, audited in one place: every model registered on it (any app's
`@admin.register`) logs its additions, changes and deletions to the audit log as well as to Django's
LogEntry, a password changed through the admin's own form is audited, and sign-ins to /admin/ (success
and failure, from Django's auth signals) are audited like the APIs' sign-ins."""

from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.urls import reverse

from hotline.api.client import client_ip

from .audit import audit_record
from .models import User
from .services import audit_user_change, login_failure_record, login_success_record, md5_hex

CHANNEL = "admin"


def _admin_audit(request, action, objects, detail=None):
    objects = list(objects)
    if not objects:
        return
    audit_record(
        actor=request.user,
        action=action,
        object_type=objects[0]._meta.label_lower,
        object_ids=[obj.pk for obj in objects],
        detail=detail,
        ip=client_ip(request),
    )


class AuditedModelAdmin:
    """Mixed into every ModelAdmin registered on the site: each LogEntry gets its audit row."""

    def log_addition(self, request, obj, message):
        logged = super().log_addition(request, obj, message)
        _admin_audit(request, "admin.add", [obj], {"change": message})
        return logged

    def log_change(self, request, obj, message):
        logged = super().log_change(request, obj, message)
        _admin_audit(request, "admin.change", [obj], {"change": message})
        return logged

    def log_deletions(self, request, queryset):
        logged = super().log_deletions(request, queryset)
        _admin_audit(request, "admin.delete", queryset)
        return logged


class Md5PasswordChangeForm(AdminPasswordChangeForm):
    """The operator types plain passwords; the stored hash is over their md5 hex (CONTRACT §3), as in
    `users.backends`. Django's own form compared and stored the plain text, so the new password opened
    neither the admin nor the APIs."""

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not self.user.check_password(md5_hex(old_password)):
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password

    def save(self, commit=True):
        self.user.set_password(md5_hex(self.cleaned_data["new_password1"]))
        if commit:
            self.user.save(update_fields=["password", "updated_at"])
        return self.user


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedModelAdmin):
            base = type(base.__name__, (AuditedModelAdmin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, base, **options)

    def password_change(self, request, extra_context=None):
        """Django's view with the md5-aware form; a change is audited."""
        defaults = {
            "form_class": Md5PasswordChangeForm,
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        response = PasswordChangeView.as_view(**defaults)(request)
        if request.method == "POST" and response.status_code == 302:
            audit_user_change(
                actor=request.user,
                user=request.user,
                action="user.password",
                ip=client_ip(request),
                detail={"channel": CHANNEL},
            )
        return response


def admin_login_succeeded(sender, request, user, **kwargs):
    """`user_logged_in`: only the admin signs in with a session (the APIs answer tokens)."""
    login_success_record(user=user, ip=client_ip(request) if request else "", channel=CHANNEL)


def admin_login_failed(sender, credentials, request=None, **kwargs):
    """`user_login_failed` (credentials already have the password masked)."""
    identifier = str(credentials.get("username") or "")
    user = User.objects.filter(username=identifier).first() if identifier else None
    login_failure_record(
        user=user, identifier=identifier, ip=client_ip(request) if request else "", channel=CHANNEL
    )

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

from .audit import audit_read, audit_record
from .models import ADMIN_TYPES, User
from .scoping import OPERATE, visible_to
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


def is_operator(user):
    """Who may open the dashboard and the read-only domain pages: a staff account (`is_staff`, the key to
    /admin/ at all) that is a superuser, a system administrator or an institution administrator."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.type in ADMIN_TYPES)
    )


class OperatorReadOnlyAdmin(admin.ModelAdmin):
    """A domain's page for operators: viewable by `is_operator`, never added to, changed or deleted here
    (the APIs' services hold the rules). Rows are scoped by `users.scoping` (purpose `OPERATE`): an
    institution administrator sees its institution's rows; a superuser every row.

    `audited_read` names a kind of `users.audit.AUDITED_READS`: opening one object's page (its
    transcript, case file or intake profile) writes that read's audit row; `audited_object_id(obj)` is
    the id the row names. Lists show no counselling content, so they are not audited."""

    audited_read = None
    actions = None
    show_full_result_count = False

    def audited_object_id(self, obj):
        return obj.pk

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return visible_to(request.user, queryset, purpose=OPERATE)

    def has_module_permission(self, request):
        return is_operator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """Reached only for an object found in the caller's scope (outside it the admin redirects with
        "does not exist" before rendering): one audit row per page view."""
        if self.audited_read and obj is not None:
            audit_read(request, self.audited_read, self.audited_object_id(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)


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
    # The index links the operators' dashboard (`hotline.dashboard`, at /admin/dashboard/).
    index_template = "admin/hotline_index.html"

    def index(self, request, extra_context=None):
        extra_context = {"show_dashboard": is_operator(request.user), **(extra_context or {})}
        return super().index(request, extra_context)

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

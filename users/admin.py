from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.db import models
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from hotline.api.client import client_ip
from hotline.crypto import blind_index

from . import services
from .models import (
    STAFF_TYPES,
    AuditEntry,
    ConsentDocument,
    ConsentRecord,
    CrisisResource,
    Institution,
    User,
    UserType,
)
from .services import md5_hex

# Fields whose change alters what an account may do: audited as a role change (`user.role`).
ROLE_FIELDS = ("type", "institution", "is_staff", "is_superuser", "supervisors")


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "consent_required", "created_at")
    search_fields = ("code", "name")


class UserAdminForm(forms.ModelForm):
    new_password = forms.CharField(
        label="设置密码",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="明文密码；留空则不修改。保存的是 md5(密码) 的 Argon2id 哈希。",
    )

    class Meta:
        model = User
        fields = (
            "username",
            "type",
            "institution",
            "name",
            "gender",
            "phone_number",
            "email",
            "id_number",
            "department",
            "title",
            "age",
            "qualification",
            "qualification_code",
            "emergency_contact",
            "emergency_phone",
            "max_consults",
            "supervisors",
            "enabled",
            "approved",
            "is_staff",
            "is_superuser",
        )

    def clean(self):
        cleaned = super().clean()
        if self.instance._state.adding and not cleaned.get("new_password"):
            self.add_error("new_password", "新用户必须设置密码")
        # The phone's unique constraint is on its hash, which the form does not carry: checked here.
        phone = cleaned.get("phone_number")
        active = self.instance.deleted_at is None and self.instance.deactivated_at is None
        if phone and active and cleaned.get("type") in STAFF_TYPES:
            if services.staff_holding_contact(phone=phone, exclude_pk=self.instance.pk):
                self.add_error("phone_number", "该手机号已被其他咨询师或督导使用")
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("new_password"):
            user.set_password(md5_hex(self.cleaned_data["new_password"]))
        if commit:
            user.save()
            self.save_m2m()
        return user


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserAdminForm
    list_display = (
        "username",
        "name",
        "type",
        "institution",
        "enabled",
        "approved",
        "deleted_at",
        "created_at",
    )
    list_filter = ("type", "institution", "enabled", "approved", ("deleted_at", admin.EmptyFieldListFilter))
    # Phone and ID numbers are encrypted: the search box also matches them exactly through their hashes.
    search_fields = ("username", "name", "email", "department")
    list_select_related = ("institution",)
    filter_horizontal = ("supervisors",)
    readonly_fields = ("id", "total_time", "created_at", "updated_at", "last_login", "deleted_at")
    actions = ("ban_users", "enable_users")
    ordering = ("-created_at",)

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            # ID numbers are stored upper-case (users.services).
            hashed = models.Q(phone_hash=blind_index(term)) | models.Q(
                id_number_hash=blind_index(term.upper())
            )
            found |= queryset.filter(hashed)
        return found, may_have_duplicates

    def save_model(self, request, obj, form, change):
        """Edits go through the same rules as the API: disabling ends sessions and open conversations,
        approval is audited (a withdrawal ends open conversations), a higher maxConsults starts waiting
        visitors. Only the edited fields are written."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        changed = [name for name in form.changed_data if name != "new_password"]
        if form.cleaned_data.get("new_password"):
            changed.append("password")
        enabled_changed = "enabled" in changed
        approved_changed = "approved" in changed
        capacity_changed = "max_consults" in changed
        fields = [name for name in changed if name not in ("supervisors", "enabled", "approved")]
        if fields:
            obj.save(update_fields=[*fields, "updated_at"])
        ip = client_ip(request)
        role_fields = [name for name in changed if name in ROLE_FIELDS]
        if role_fields:
            services.audit_user_change(
                actor=request.user,
                user=obj,
                action="user.role",
                ip=ip,
                detail={
                    "fields": role_fields,
                    "type": obj.type,
                    "isStaff": obj.is_staff,
                    "isSuperuser": obj.is_superuser,
                },
            )
        if "password" in changed:
            services.audit_user_change(actor=request.user, user=obj, action="user.password", ip=ip)
        if enabled_changed:
            services.user_set_enabled(actor=request.user, user=obj, enabled=obj.enabled, ip=ip)
        if approved_changed:
            services.user_set_approved(actor=request.user, user=obj, approved=obj.approved, ip=ip)
        if capacity_changed:
            services.max_consults_changed(obj.pk)

    def save_related(self, request, form, formsets, change):
        form.save_m2m()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "supervisors":
            kwargs["queryset"] = User.objects.filter(type=UserType.SUPERVISOR, deleted_at__isnull=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(description="禁用所选用户")
    def ban_users(self, request, queryset):
        """Through the same service as /user/ban: tokens revoked, open conversations ended."""
        users = list(queryset.exclude(pk=request.user.pk).filter(enabled=True))
        for user in users:
            services.user_set_enabled(actor=request.user, user=user, enabled=False, ip=client_ip(request))
        self.message_user(request, f"已禁用 {len(users)} 个用户", messages.SUCCESS)

    @admin.action(description="启用所选用户")
    def enable_users(self, request, queryset):
        users = list(queryset.filter(deleted_at__isnull=True, enabled=False))
        for user in users:
            services.user_set_enabled(actor=request.user, user=user, enabled=True, ip=client_ip(request))
        self.message_user(request, f"已启用 {len(users)} 个用户", messages.SUCCESS)


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "version", "updated_at")
    readonly_fields = ("version",)

    def has_add_permission(self, request):
        return not ConsentDocument.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # A changed text is a new version: visitors who accepted an older one are asked again (CONTRACT §10).
        if change and "information" in form.changed_data:
            obj.version = models.F("version") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["version"])


@admin.register(CrisisResource)
class CrisisResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "hours", "position")
    list_editable = ("phone", "hours", "position")


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """Read-only proof of consent; rows are written by PUT /consent only."""

    list_display = ("user", "version", "accepted_at", "ip")
    list_filter = ("version",)
    search_fields = ("=user__id",)
    list_select_related = ("user",)
    readonly_fields = ("user", "version", "accepted_at", "ip", "guardian_name", "guardian_phone")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included (the table is append-only in the database too).
    Filter by action, object type and date; search an exact actor username, actor id or object id."""

    list_display = ("created_at", "actor_username", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "object_type", ("created_at", admin.DateFieldListFilter))
    search_fields = ("=actor_username", "=actor__id", "=object_id")
    search_help_text = "按操作者用户名、操作者 id 或对象 id 精确查找"
    readonly_fields = (
        "created_at",
        "actor_id",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "object_ids",
        "detail",
        "ip",
    )
    exclude = ("actor",)
    actions = None
    show_full_result_count = False  # no COUNT(*) over the whole log beside a filtered page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Developer-facing tables hidden from the admin: simplejwt's token bookkeeping (ended through ban, password
# change and sign-out, `users.tokens`) and permission groups (roles are the user's `type`, not groups).
# Login attempts, locks, IM callback signatures and WeChat tokens were never registered.
for _model in (OutstandingToken, BlacklistedToken, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower

from hotline.crypto import EncryptedCharField, HashField, with_hash_fields
from hotline.ids import new_id


def default_max_consults():
    return settings.DEFAULT_MAX_CONSULTS


class Institution(models.Model):
    code = models.SlugField("机构代码", max_length=64, unique=True)
    name = models.CharField("机构名称", max_length=128)
    # Per-institution switch of the consent rule (CONTRACT §10); CONSENT_REQUIRED=1 turns it on everywhere.
    consent_required = models.BooleanField(
        "须先同意知情同意书", default=False, help_text="开启后，访客须先同意当前版本的知情同意书才能发起咨询"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "机构"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class UserType(models.TextChoices):
    ADMIN = "ADMIN", "系统管理员"
    INSTITUTION = "INSTITUTION", "机构管理员"
    SUPERVISOR = "SUPERVISOR", "督导"
    COUNSELOR = "COUNSELOR", "咨询师"
    VISITOR = "VISITOR", "访客"


ROLE_BY_TYPE = {
    UserType.ADMIN: "ROLE_SYSTEM_ADMINISTRATOR",
    UserType.INSTITUTION: "ROLE_INSTITUTION_ADMINISTRATOR",
    UserType.SUPERVISOR: "ROLE_SUPERVISOR",
    UserType.COUNSELOR: "ROLE_COUNSELOR",
    UserType.VISITOR: "ROLE_VISITOR",
}
TYPE_BY_ROLE = {role: user_type for user_type, role in ROLE_BY_TYPE.items()}
ROLE_LABELS = {
    "ROLE_SYSTEM_ADMINISTRATOR": "系统管理员",
    "ROLE_INSTITUTION_ADMINISTRATOR": "机构管理员",
    "ROLE_SUPERVISOR": "督导",
    "ROLE_COUNSELOR": "咨询师",
    "ROLE_VISITOR": "访客",
}
ADMIN_TYPES = (UserType.ADMIN, UserType.INSTITUTION)
STAFF_TYPES = (UserType.SUPERVISOR, UserType.COUNSELOR)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(username=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone: administrators, supervisors, counsellors and WeChat visitors (CONTRACT §3).

    The stored password is Argon2id over md5(plain password) as lowercase hex.
    """

    id = models.CharField("编号", primary_key=True, max_length=32, default=new_id, editable=False)
    username = models.CharField("用户名", max_length=64, unique=True)
    type = models.CharField("类型", max_length=16, choices=UserType.choices, db_index=True)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="users", verbose_name="机构"
    )
    name = models.CharField("姓名", max_length=64, blank=True, default="")
    gender = models.CharField("性别", max_length=2, blank=True, default="")
    phone_number = EncryptedCharField("手机号", max_length=20, blank=True, default="")
    phone_hash = HashField(source="phone_number", db_index=True)
    email = models.CharField("邮箱", max_length=254, blank=True, default="")
    id_number = EncryptedCharField("身份证号", max_length=18, blank=True, default="")
    id_number_hash = HashField(source="id_number", db_index=True)
    department = models.CharField("部门", max_length=128, blank=True, default="")
    title = models.CharField("职称", max_length=64, blank=True, default="")
    age = models.PositiveSmallIntegerField("年龄", null=True, blank=True)
    state = models.CharField("状态", max_length=16, blank=True, default="")
    open_id = models.CharField("微信openid", max_length=64, blank=True, default="", db_index=True)
    union_id = models.CharField(max_length=64, blank=True, default="")
    wx_appid = models.CharField(max_length=64, blank=True, default="")
    wx_session_key = EncryptedCharField(max_length=64, blank=True, default="")
    avatar_url = models.CharField("头像", max_length=512, blank=True, default="")
    qualification = models.CharField("督导资质", max_length=64, blank=True, default="")
    qualification_code = models.CharField("资质编号", max_length=64, blank=True, default="")
    emergency_contact = EncryptedCharField("紧急联系人", max_length=64, blank=True, default="")
    emergency_phone = EncryptedCharField("紧急联系人电话", max_length=20, blank=True, default="")
    max_consults = models.PositiveSmallIntegerField("最大咨询人数", default=default_max_consults)
    total_time = models.BigIntegerField("累计咨询时长(ms)", default=0)
    supervisors = models.ManyToManyField(
        "self", symmetrical=False, related_name="supervisees", blank=True, verbose_name="督导"
    )
    enabled = models.BooleanField("启用", default=True)
    # Only self-registration creates pending accounts (it sets False explicitly); everyone an
    # administrator, createadmin or the admin site creates is approved (CONTRACT §9).
    approved = models.BooleanField(
        "已审核", default=True, help_text="未审核的工作台账号不能值班、不能接待访客、不能查看访客数据"
    )
    activated = models.BooleanField("已激活", default=False)
    activate_time = models.DateTimeField("激活时间", null=True, blank=True)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    deactivated_at = models.DateTimeField("注销时间", null=True, blank=True)
    # A visitor anonymised by an erasure request or by retention (`purge_expired`); see docs/decisions.md.
    erased_at = models.DateTimeField("匿名化时间", null=True, blank=True)
    is_staff = models.BooleanField("可登录管理后台", default=False)
    creator = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name="创建人",
    )
    last_updater = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name="最后修改人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["institution", "type", "-created_at"])]
        # Email and phone are workspace login names: one active counsellor or supervisor each (the phone
        # through its keyed hash: the number itself is encrypted, hotline/crypto.py).
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="one_staff_per_email",
                condition=models.Q(
                    type__in=["COUNSELOR", "SUPERVISOR"], deleted_at__isnull=True, deactivated_at__isnull=True
                )
                & ~models.Q(email=""),
            ),
            models.UniqueConstraint(
                "phone_hash",
                name="one_staff_per_phone_hash",
                condition=models.Q(
                    type__in=["COUNSELOR", "SUPERVISOR"], deleted_at__isnull=True, deactivated_at__isnull=True
                )
                & ~models.Q(phone_hash=""),
            ),
        ]

    def __str__(self):
        return f"{self.name or self.username} ({self.get_type_display()})"

    def save(self, *args, update_fields=None, **kwargs):
        # Saving `phone_number` alone must refresh `phone_hash` too (hotline/crypto.py).
        super().save(*args, update_fields=with_hash_fields(type(self), update_fields), **kwargs)

    @property
    def is_active(self):
        """Banned (enabled=False) or deleted users cannot sign in and their tokens stop working."""
        return self.enabled and self.deleted_at is None and self.deactivated_at is None

    @property
    def roles(self):
        return ROLE_BY_TYPE.get(self.type)

    @property
    def is_administrator(self):
        return self.type in ADMIN_TYPES

    @property
    def is_system_admin(self):
        return self.type == UserType.ADMIN


class ConsentDocument(models.Model):
    """The informed-consent rich text that /config shows the mini-program (one row, edited in the admin)."""

    information = models.JSONField("知情同意书(富文本节点)")
    # Raised by the admin whenever the text changes (users.admin.ConsentDocumentAdmin): visitors who
    # accepted an older version must accept again.
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "知情同意书"

    def __str__(self):
        return "知情同意书"


class ConsentRecord(models.Model):
    """A visitor's acceptance of one version of the consent text: when, from which address, and for a
    visitor under 14 the guardian who consented too (PIPL art. 31). Rows are kept as proof; erasure blanks
    the address and the guardian (users.services.visitor_anonymise)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents", verbose_name="访客")
    version = models.PositiveIntegerField("版本")
    accepted_at = models.DateTimeField("同意时间", auto_now_add=True)
    ip = models.CharField("客户端地址", max_length=64, blank=True, default="")
    guardian_name = EncryptedCharField("监护人姓名", max_length=64, blank=True, default="")
    guardian_phone = EncryptedCharField("监护人手机号", max_length=20, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "知情同意记录"
        ordering = ["-accepted_at", "-pk"]
        indexes = [models.Index(fields=["user", "-accepted_at"], name="consent_user_time_idx")]

    def __str__(self):
        return f"{self.user_id} v{self.version} {self.accepted_at:%Y-%m-%d %H:%M:%S}"


class CrisisResource(models.Model):
    """A crisis line the mini-program shows when nobody is on duty (/config `crisisResources`)."""

    name = models.CharField("名称", max_length=64)
    phone = models.CharField("电话", max_length=32)
    hours = models.CharField("服务时间", max_length=64, blank=True, default="")
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "心理危机求助资源"
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.name} {self.phone}"


class LoginAttempt(models.Model):
    """Password sign-in attempts within the current window, keyed by `user:<username>` and `ip:<address>`
    (shared by all workers). Counted before the password is checked; a success gives its attempt back."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()

    def __str__(self):
        return f"{self.key}: {self.count} since {self.window_start:%Y-%m-%d %H:%M:%S}"


class LoginLock(models.Model):
    key = models.CharField(max_length=200, primary_key=True)
    locked_until = models.DateTimeField()

    def __str__(self):
        return f"{self.key} until {self.locked_until:%Y-%m-%d %H:%M:%S}"


class WechatAccessToken(models.Model):
    """WeChat's client_credential access token per appid, cached in the database for every worker."""

    appid = models.CharField(max_length=64, primary_key=True)
    token = models.CharField(max_length=512)
    expires_at = models.DateTimeField()

    def __str__(self):
        return self.appid


class RefreshTokenFamily(models.Model):
    """Which sign-in a refresh token descends from: rotation hands the family on, and a spent token
    presented again revokes every token of its family (someone else holds a copy)."""

    jti = models.CharField(max_length=255, primary_key=True)
    family = models.CharField(max_length=255, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "刷新令牌家族"

    def __str__(self):
        return f"{self.jti} ← {self.family}"


class AuditEntry(models.Model):
    """Who did what to which object, when, from which address: reads of transcripts, case files and intake
    profiles, exports, deletions, account changes, staff sign-ins, admin-site changes. One row per object
    (`object_id`, indexed with `object_type`); `object_ids` keeps every object of the same request (a batch
    export). Append-only: the admin offers no change, and on PostgreSQL a trigger refuses UPDATE and any
    DELETE of a row younger than the 183-day floor (migration 0009_audit_extended)."""

    # DO_NOTHING: an audit row outlives its actor unchanged (SET_NULL would be an UPDATE the trigger refuses).
    actor = models.ForeignKey(
        User,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        verbose_name="操作者",
    )
    actor_username = models.CharField("操作者用户名", max_length=64)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象 id", max_length=64, blank=True, default="")
    object_ids = models.JSONField("对象 id 列表", default=list)
    detail = models.JSONField("详情", default=dict, blank=True)
    ip = models.CharField("IP 地址", max_length=64, blank=True, default="")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-created_at"], name="audit_object_idx"),
            models.Index(fields=["actor_username", "-created_at"], name="audit_actor_name_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"

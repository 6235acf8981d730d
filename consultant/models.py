from django.conf import settings
from django.db import models

from hotline.crypto import EncryptedJSONField, EncryptedTextField


class ConsultantProfile(models.Model):
    """The workspace's personal-centre fields of a counsellor (seed 001 个人中心)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="consultant_profile",
    )
    introduction = models.TextField(blank=True, default="")
    experience = models.TextField(blank=True, default="")
    expertise = models.TextField(blank=True, default="")
    education = models.TextField(blank=True, default="")
    certifications = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "咨询师资料"

    def __str__(self):
        return str(self.user_id)


class VerificationCode(models.Model):
    """A 6-digit code sent by email or SMS; only its HMAC is stored."""

    class Channel(models.TextChoices):
        EMAIL = "email", "邮箱"
        PHONE = "phone", "手机"

    channel = models.CharField(max_length=8, choices=Channel.choices)
    account = models.CharField(max_length=254)
    code_hash = models.CharField(max_length=64)
    ip = models.CharField(max_length=64, blank=True, default="", db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "验证码"
        indexes = [models.Index(fields=["channel", "account", "created_at"])]

    def __str__(self):
        return f"{self.channel}:{self.account}"


class OrderType(models.TextChoices):
    ONLINE = "在线咨询", "在线咨询"
    OFFLINE = "线下咨询", "线下咨询"


class OrderStatus(models.TextChoices):
    PENDING = "待接单", "待接单"
    WAITING = "等待中", "等待中"
    IN_PROGRESS = "咨询中", "咨询中"
    FINISHED = "已结束", "已结束"
    REJECTED = "已拒绝", "已拒绝"


class Order(models.Model):
    """A consultation appointment a counsellor takes (seed 001 咨询列表). `amount` is in fen."""

    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    order_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    age = models.PositiveSmallIntegerField()
    gender = models.CharField(max_length=2)
    type = models.CharField(max_length=8, choices=OrderType.choices)
    key_word = models.JSONField(default=list)
    date = models.DateField()
    time = models.TimeField()
    contact = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    amount = models.PositiveIntegerField(default=0, help_text="fen (1/100 yuan)")
    commit_time = models.DateTimeField(auto_now_add=True, db_index=True)
    finish_time = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "咨询订单"
        indexes = [models.Index(fields=["consultant", "status", "date"])]

    def __str__(self):
        return self.order_id


class Archive(models.Model):
    """A student's interview archive (咨询档案); `interview_count` is the number of its records."""

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="archives"
    )
    std_name = models.CharField(max_length=64)
    std_grade = models.CharField(max_length=64, blank=True, default="")
    std_class = models.CharField(max_length=64, blank=True, default="")
    std_school = models.CharField(max_length=128, blank=True, default="")
    interview_status = models.CharField(max_length=64, blank=True, default="")
    interview_type = models.CharField(max_length=64, blank=True, default="")
    doctor_evaluation = EncryptedTextField(blank=True, default="")
    follow_up_plan = EncryptedTextField(blank=True, default="")
    create_time = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "咨询档案"

    def __str__(self):
        return f"{self.std_name} ({self.pk})"


class InterviewRecord(models.Model):
    """One interview of an archive (咨询记录)."""

    archive = models.ForeignKey(Archive, on_delete=models.CASCADE, related_name="records")
    count = models.PositiveIntegerField(help_text="第几次访谈")
    name = models.CharField(max_length=64, blank=True, default="")
    gender = models.CharField(max_length=2, blank=True, default="")
    student_id = models.CharField(max_length=64, blank=True, default="")
    school = models.CharField(max_length=128, blank=True, default="")
    grade = models.CharField(max_length=64, blank=True, default="")
    class_name = models.CharField(max_length=64, blank=True, default="")
    date = models.CharField(max_length=10, blank=True, default="")
    time = models.CharField(max_length=5, blank=True, default="")
    duration = models.CharField(max_length=32, blank=True, default="")
    visit_status = models.CharField(max_length=64, blank=True, default="")
    # The interview's narrative texts are encrypted at rest (hotline/crypto.py); names and categories stay plain.
    description = EncryptedTextField(blank=True, default="")
    doctor_evaluation = EncryptedTextField(blank=True, default="")
    follow_up_plan = EncryptedTextField(blank=True, default="")
    next_visit_plan = EncryptedTextField(blank=True, default="")
    crisis_status = models.CharField(max_length=64, blank=True, default="")
    consultant_name = models.CharField(max_length=64, blank=True, default="")
    signature_image = models.CharField(max_length=512, blank=True, default="")
    attach_images = models.JSONField(default=list, blank=True)
    is_third_party_evaluation = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "咨询记录"
        ordering = ["count", "id"]

    def __str__(self):
        return f"{self.archive_id} #{self.count}"


class IntakeProfile(models.Model):
    """The intake profile (个人档案) of a consultation order's visitor."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, primary_key=True, related_name="intake")
    data = EncryptedJSONField(default=dict)  # encrypted at rest (hotline/crypto.py)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "个人档案"

    def __str__(self):
        return str(self.order_id)


class Template(models.Model):
    """An Excel template of an institution (访谈记录模板)."""

    institution = models.ForeignKey("users.Institution", on_delete=models.CASCADE, related_name="templates")
    file_name = models.CharField(max_length=128)
    stored_name = models.CharField(max_length=128)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "模板文件"
        constraints = [models.UniqueConstraint(fields=["institution", "file_name"], name="one_template_name")]

    def __str__(self):
        return self.file_name

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

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="咨询师", on_delete=models.PROTECT, related_name="orders"
    )
    order_id = models.CharField("订单号", max_length=32, unique=True)
    name = models.CharField("姓名", max_length=64)
    age = models.PositiveSmallIntegerField("年龄")
    gender = models.CharField("性别", max_length=2)
    type = models.CharField("咨询方式", max_length=8, choices=OrderType.choices)
    key_word = models.JSONField("关键词", default=list)
    date = models.DateField("预约日期")
    time = models.TimeField("预约时间")
    contact = models.CharField("联系方式", max_length=64)
    status = models.CharField("状态", max_length=8, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    amount = models.PositiveIntegerField("金额（分）", default=0, help_text="fen (1/100 yuan)")
    commit_time = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)
    finish_time = models.DateTimeField("完成时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "咨询订单"
        indexes = [models.Index(fields=["consultant", "status", "date"])]

    def __str__(self):
        return self.order_id


class Archive(models.Model):
    """A student's interview archive (咨询档案); `interview_count` is the number of its records."""

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="archives",
        verbose_name="咨询师",
    )
    std_name = models.CharField("学生姓名", max_length=64)
    std_grade = models.CharField("年级", max_length=64, blank=True, default="")
    std_class = models.CharField("班级", max_length=64, blank=True, default="")
    std_school = models.CharField("学院", max_length=128, blank=True, default="")
    interview_status = models.CharField("访谈状态", max_length=64, blank=True, default="")
    interview_type = models.CharField("访谈类型", max_length=64, blank=True, default="")
    doctor_evaluation = EncryptedTextField("咨询师评估", blank=True, default="")
    follow_up_plan = EncryptedTextField("后续计划", blank=True, default="")
    create_time = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "咨询档案"

    def __str__(self):
        return f"{self.std_name} ({self.pk})"


class InterviewRecord(models.Model):
    """One interview of an archive (咨询记录)."""

    archive = models.ForeignKey(
        Archive, verbose_name="档案", on_delete=models.CASCADE, related_name="records"
    )
    count = models.PositiveIntegerField("访谈次序", help_text="第几次访谈")
    name = models.CharField("姓名", max_length=64, blank=True, default="")
    gender = models.CharField("性别", max_length=2, blank=True, default="")
    student_id = models.CharField("学号", max_length=64, blank=True, default="")
    school = models.CharField("学院", max_length=128, blank=True, default="")
    grade = models.CharField("年级", max_length=64, blank=True, default="")
    class_name = models.CharField("班级", max_length=64, blank=True, default="")
    date = models.CharField("日期", max_length=10, blank=True, default="")
    time = models.CharField("时间", max_length=5, blank=True, default="")
    duration = models.CharField("时长", max_length=32, blank=True, default="")
    visit_status = models.CharField("来访状态", max_length=64, blank=True, default="")
    # The interview's narrative texts are encrypted at rest (hotline/crypto.py); names and categories stay plain.
    description = EncryptedTextField("情况描述", blank=True, default="")
    doctor_evaluation = EncryptedTextField("咨询师评估", blank=True, default="")
    follow_up_plan = EncryptedTextField("后续计划", blank=True, default="")
    next_visit_plan = EncryptedTextField("下次访谈计划", blank=True, default="")
    crisis_status = models.CharField("危机状态", max_length=64, blank=True, default="")
    consultant_name = models.CharField("咨询师姓名", max_length=64, blank=True, default="")
    signature_image = models.CharField("签名图片", max_length=512, blank=True, default="")
    attach_images = models.JSONField("附件图片", default=list, blank=True)
    is_third_party_evaluation = models.BooleanField("第三方评估", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "咨询记录"
        ordering = ["count", "id"]

    def __str__(self):
        return f"{self.archive_id} #{self.count}"


class IntakeProfile(models.Model):
    """The intake profile (个人档案) of a consultation order's visitor."""

    order = models.OneToOneField(
        Order, verbose_name="订单", on_delete=models.CASCADE, primary_key=True, related_name="intake"
    )
    data = EncryptedJSONField("档案内容", default=dict)  # encrypted at rest (hotline/crypto.py)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

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

from django.db import models

from hotline.crypto import EncryptedJSONField
from hotline.ids import new_id


class Message(models.Model):
    """One chat message as the IM provider posted it (C2C.CallbackAfterSendMsg): the hotline's archive.

    `conversation` is the id named by CloudCustomData, stored without a database constraint so that a
    message whose conversation is unknown is still kept. `placeholder` marks a row created by a recall
    that arrived before its message; the message fills it when it comes.
    """

    id = models.CharField("编号", primary_key=True, max_length=32, default=new_id, editable=False)
    msg_key = models.CharField("消息键", max_length=255, unique=True)
    conversation = models.ForeignKey(
        "conversations.Conversation",
        verbose_name="会话",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="messages",
    )
    cloud_custom_data = models.TextField("自定义数据", blank=True, default="")
    callback_command = models.CharField("回调命令", max_length=64, blank=True, default="")
    from_account = models.CharField("发送方", max_length=64, blank=True, default="", db_index=True)
    to_account = models.CharField("接收方", max_length=64, blank=True, default="")
    msg_seq = models.BigIntegerField("消息序号", default=0)
    msg_random = models.BigIntegerField("消息随机数", default=0)
    msg_time = models.BigIntegerField("发送时间（秒）", default=0, help_text="seconds")
    online_only_flag = models.BigIntegerField("仅在线", default=0)
    send_msg_result = models.BigIntegerField("发送结果", default=0)
    error_info = models.TextField("错误信息", blank=True, default="")
    unread_msg_num = models.BigIntegerField("未读数", default=0)
    # Message text and the whole callback body, encrypted at rest (hotline/crypto.py): never queried in SQL.
    msg_body = EncryptedJSONField("消息内容", default=list)
    raw = EncryptedJSONField("回调原文", default=dict, help_text="the whole callback body as received")
    is_revoked = models.BooleanField("已撤回", default=False)
    revoked_at = models.DateTimeField("撤回时间", null=True, blank=True)
    placeholder = models.BooleanField("占位", default=False)
    created_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息"
        # A transcript's order has an index per database (migration 0007_perf_indexes).
        indexes = [
            # The newest MsgTime, for /metrics' IM callback lag.
            models.Index(fields=["msg_time"], name="message_msg_time_idx"),
        ]

    def __str__(self):
        return f"{self.msg_key} {self.from_account}->{self.to_account}"


class CallbackDelivery(models.Model):
    """A signed IM callback already applied, by sha256 of its `Sign` and body: the same pair posted again
    within the ±60 s `RequestTime` window is a replay and is refused. Rows older than that window mean
    nothing and are purged as callbacks arrive."""

    digest = models.CharField(max_length=64, primary_key=True)
    request_time = models.BigIntegerField(db_index=True, help_text="the callback's RequestTime (seconds)")

    class Meta:
        verbose_name = verbose_name_plural = "IM回调签名"

    def __str__(self):
        return self.digest


class ImAccount(models.Model):
    """Whether a user's identifier has been imported into the IM service (account_import)."""

    user = models.OneToOneField(
        "users.User",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="im_account",
        verbose_name="用户",
    )
    imported_at = models.DateTimeField("导入时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True, default="")
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "IM账号导入"

    def __str__(self):
        return f"{self.user_id}: {'imported' if self.imported_at else 'pending'}"


class ChatFile(models.Model):
    """A file stored by `/file/upload` (or another upload through `files.file_store`): who uploaded it.
    The uploader may always download it; everyone else needs a `ChatFileLink` they may see."""

    name = models.CharField(max_length=128, primary_key=True)
    uploader = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_files"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "聊天文件"

    def __str__(self):
        return self.name


class ChatFileLink(models.Model):
    """A conversation in which a message between its two participants links a stored file (written by
    the IM callback): the conversation's readers may download that file. Keyed by the file's name, not
    by a `ChatFile` row, so files stored before uploads were recorded are linked too."""

    file_name = models.CharField(max_length=128)
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="file_links",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "聊天文件所在会话"
        constraints = [
            models.UniqueConstraint(fields=["file_name", "conversation"], name="chat_file_link_once")
        ]

    def __str__(self):
        return f"{self.file_name} in {self.conversation_id}"

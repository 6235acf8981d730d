from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from hotline.ids import new_id


class Evaluation(models.Model):
    """A visitor's rating of one conversation (once per conversation)."""

    id = models.CharField("编号", primary_key=True, max_length=32, default=new_id, editable=False)
    conversation = models.OneToOneField(
        "conversations.Conversation",
        on_delete=models.PROTECT,
        related_name="evaluation",
        verbose_name="会话",
    )
    object_type = models.CharField("对象类型", max_length=16, default="CONVERSATION")
    # NULL: rated without a level (the seed's own example sends none); counts in no average or ranking.
    level = models.PositiveSmallIntegerField(
        "评分", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    content = models.TextField("评价内容", blank=True, default="")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评价人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价"

    def __str__(self):
        return f"{self.conversation_id}: {self.level}"

from django.conf import settings
from django.db import models
from django.db.models import Q

from hotline.ids import new_id
from users.models import Institution


class QuickReplyScope(models.TextChoices):
    INSTITUTION = "INSTITUTION", "机构共享"
    PERSONAL = "PERSONAL", "个人"


class QuickReply(models.Model):
    """A canned answer (CONTRACT §10): shared by an institution (`shared_institution`, no owner) or one
    staff member's own (`owner`). The two columns are what users/scoping.py matches on."""

    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    scope = models.CharField("范围", max_length=16, choices=QuickReplyScope.choices)
    content = models.CharField("内容", max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quick_replies",
        verbose_name="所有者",
    )
    shared_institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quick_replies",
        verbose_name="所属机构",
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "快捷回复"
        ordering = ["scope", "created_at", "pk"]
        indexes = [
            models.Index(fields=["shared_institution", "created_at"], name="quickreply_shared_idx"),
            models.Index(fields=["owner", "created_at"], name="quickreply_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope=QuickReplyScope.INSTITUTION, owner__isnull=True, shared_institution__isnull=False)
                    | Q(scope=QuickReplyScope.PERSONAL, owner__isnull=False, shared_institution__isnull=True)
                ),
                name="quickreply_scope_matches_holder",
            )
        ]

    def __str__(self):
        return self.content[:30]

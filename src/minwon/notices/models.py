"""The citizen's inbox (전자고지함): messages from every part of minwon — a move-in's
summary, petition progress, tax bills, civil-defence notices — with read receipts."""

from __future__ import annotations

from django.db import models


class InboxMessage(models.Model):
    """One message to one person, addressed by the RRN blind index (so a resident who has
    no account yet finds it on sign-up) and, when known, the account."""

    class Category(models.TextChoices):
        REGISTRY = "registry", "주민등록"
        PETITION = "petition", "민원"
        CERTIFICATE = "certificate", "증명서"
        TAX = "tax", "지방세"
        CIVIL_DEFENCE = "civil_defence", "민방위"
        GENERAL = "general", "일반"

    recipient_index = models.CharField(max_length=64, db_index=True)
    recipient_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=16, choices=Category.choices)
    subject = models.CharField("제목", max_length=200)
    body = models.TextField("내용")
    items = models.JSONField("변경 항목", default=list, blank=True)
    source_command = models.UUIDField(db_index=True)
    email = models.EmailField(blank=True, default="")
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "전자고지"
        verbose_name_plural = "전자고지"
        ordering = ["-created_at"]
        constraints = [
            # One message per recipient per command: a replayed command cannot send twice.
            models.UniqueConstraint(
                fields=["recipient_index", "source_command", "subject"], name="inbox_once"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

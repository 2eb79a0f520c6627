"""The citizen's inbox (전자고지함) and formal notices (전자고지) with their lifecycle.

Every message lands in the inbox. A formal notice (a tax bill, a civil-defence call-up …)
also carries a lifecycle — issued → delivered per channel → opened → acknowledged — kept as
timestamped ``NoticeEvent`` rows written by commands, the per-(notice, channel) delivery
state, and the paper fallback (``PrintBatch``). Only ``notices`` commands write these.
"""

from __future__ import annotations

from django.db import models


class InboxMessage(models.Model):
    """One message to one person. A citizen's is addressed by the RRN blind index (so a
    resident who has no account yet finds it on sign-up) and, when known, the account; a
    staff member's (알림함: 자동취합 독촉, 미제출 보고) by the account alone, ``recipient_index``
    then being ``staff:<user id>`` only so that the once-per-command constraint holds."""

    class RecipientKind(models.TextChoices):
        CITIZEN = "citizen", "시민"
        STAFF = "staff", "직원"

    class Category(models.TextChoices):
        REGISTRY = "registry", "주민등록"
        PETITION = "petition", "민원"
        CERTIFICATE = "certificate", "증명서"
        TAX = "tax", "지방세"
        CIVIL_DEFENCE = "civil_defence", "민방위"
        GENERAL = "general", "일반"

    recipient_kind = models.CharField(
        "수신자 구분", max_length=8, choices=RecipientKind.choices,
        default=RecipientKind.CITIZEN, db_default=RecipientKind.CITIZEN,
    )  # fmt: skip
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
    #: The formal notice (전자고지) this message carries, whose lifecycle it shows.
    notice = models.OneToOneField(
        "Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="inbox_message"
    )

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
        indexes = [
            # 알림함: a staff member's messages, newest first, and their unread count.
            models.Index(
                fields=["recipient_kind", "recipient_user", "read_at"], name="inbox_staff_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class DeliveryChannel(models.TextChoices):
    """송달 수단. The inbox always; e-mail and SMS when a contact is known; paper last."""

    INBOX = "inbox", "전자고지함"
    EMAIL = "email", "전자우편"
    SMS = "sms", "문자·알림톡"
    PAPER = "paper", "우편(종이)"


class Campaign(models.Model):
    """발송 일괄: one register's batch (every 자동차세 bill of a 시·군·구 for a period).
    ``key`` names the batch, unique per jurisdiction and kind, so repeating the issue finds
    the same campaign and adds only the notices still missing."""

    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="발송 기관"
    )
    kind = models.CharField("고지 종류", max_length=20)
    key = models.CharField("발송 구분", max_length=80)
    title = models.CharField("제목", max_length=200)
    template_version = models.PositiveIntegerField("양식 버전")
    paper_after_hours = models.PositiveIntegerField("미열람 시 우편 전환(시간)")
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=120)
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "전자고지 발송"
        verbose_name_plural = "전자고지 발송"
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "kind", "key"], name="campaign_once")
        ]

    def __str__(self) -> str:
        return self.title


class PrintBatch(models.Model):
    """우편 발송 묶음: the notices not opened in time (or whose channels failed), printed as
    letters with the address block."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="print_batches")
    created_at = models.DateTimeField()
    command_id = models.UUIDField(unique=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "우편 발송 묶음"
        verbose_name_plural = "우편 발송 묶음"


class Notice(models.Model):
    """전자고지 한 건: one notice to one person, rendered from a template version, with the
    legal deadline it starts. ``source_key`` (e.g. ``tax_bill:42``) makes issuing it twice
    impossible, whichever command tries."""

    class State(models.TextChoices):
        ISSUED = "issued", "발송"
        DELIVERED = "delivered", "도달"
        OPENED = "opened", "열람"
        ACKNOWLEDGED = "acknowledged", "확인"

    source_key = models.CharField(max_length=80, unique=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField("고지 종류", max_length=20)
    template_version = models.PositiveIntegerField("양식 버전")
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="발송 기관"
    )
    recipient_index = models.CharField(max_length=64, db_index=True)
    recipient_name = models.CharField("수신인", max_length=60)
    address = models.CharField("송달 주소", max_length=300)
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    subject = models.CharField("제목", max_length=200)
    body = models.TextField("내용")
    items = models.JSONField(default=list, blank=True)
    deadline_label = models.CharField(max_length=20)
    deadline_on = models.DateField("기한")
    state = models.CharField(max_length=12, choices=State.choices, default=State.ISSUED)
    issued_at = models.DateTimeField(db_index=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    #: When the notice joins the next print batch unless opened first.
    paper_due_at = models.DateTimeField(null=True, blank=True)
    print_batch = models.ForeignKey(
        PrintBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )

    class Meta:
        verbose_name = "전자고지"
        verbose_name_plural = "전자고지"
        indexes = [
            models.Index(fields=["campaign", "state"], name="notice_campaign_state"),
            models.Index(fields=["paper_due_at"], name="notice_paper_due"),
        ]

    def __str__(self) -> str:
        return self.subject


class NoticeDelivery(models.Model):
    """Delivery of one notice on one channel: at most one row per (notice, channel), the
    key that makes a redelivered outbox event harmless."""

    class State(models.TextChoices):
        PENDING = "pending", "대기"
        HELD = "held", "야간 보류"
        DELIVERED = "delivered", "도달"
        FAILED = "failed", "실패"

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=DeliveryChannel.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    hold_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "전자고지 송달"
        verbose_name_plural = "전자고지 송달"
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel"], name="notice_delivery_once")
        ]
        indexes = [models.Index(fields=["channel", "state"], name="notice_delivery_state")]


class NoticeEvent(models.Model):
    """One step of a notice's lifecycle, as the citizen and the operator both see it, with
    the command that recorded it (whose audit row anchors it in the hash chain)."""

    class Kind(models.TextChoices):
        ISSUED = "issued", "발송"
        DELIVERED = "delivered", "도달"
        HELD = "held", "야간 보류"
        RETRIED = "retried", "재시도"
        FAILED = "failed", "송달 실패"
        OPENED = "opened", "열람"
        ACKNOWLEDGED = "acknowledged", "확인"
        PAPER = "paper", "우편 발송 전환"

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=DeliveryChannel.choices, blank=True)
    at = models.DateTimeField()
    detail = models.CharField(max_length=300, blank=True, default="")
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "전자고지 이력"
        verbose_name_plural = "전자고지 이력"
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "kind", "channel", "command_id"], name="notice_event_once"
            )
        ]


class DeliveryReceipt(models.Model):
    """송달 증명: a signed PDF of what was sent, when it was delivered and opened. The hash
    is kept so an uploaded copy can be checked byte for byte."""

    number = models.CharField(max_length=20, primary_key=True)
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="receipts")
    issued_at = models.DateTimeField()
    content_sha256 = models.CharField(max_length=64, unique=True)
    pdf = models.BinaryField()
    command_id = models.UUIDField(unique=True)

    class Meta:
        verbose_name = "송달 증명"
        verbose_name_plural = "송달 증명"

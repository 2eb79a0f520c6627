"""Petitions (민원): the catalog of petition types, applications with their receipt numbers,
the petitions each application routes to a department, and every step they go through.

Only ``petitions.commands`` writes these (the tracking throttle is ``kernel.throttle``).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class PetitionType(models.Model):
    """민원 사무: one kind of petition as the catalog (민원처리기준표) lists it — legal basis,
    processing period, fee, channels, documents and the department that handles it."""

    code = models.CharField("코드", max_length=40, primary_key=True)
    name = models.CharField("민원 사무명", max_length=100)
    name_en = models.CharField(max_length=120, blank=True, default="")
    category = models.CharField("분류", max_length=40, blank=True, default="")
    legal_basis = models.CharField("근거 법령", max_length=200)
    # "즉시", "3d", "2w", "1m" … (see deadlines.parse_period).
    period = models.CharField("처리기간", max_length=10)
    fee = models.PositiveIntegerField("수수료(원)", default=0)
    fee_note = models.CharField(max_length=200, blank=True, default="")
    channels = models.JSONField("신청 경로", default=list)
    # [{"name": ..., "source": "lookup"|"applicant", "required": bool}]: 민원처리법 제10조
    # forbids asking the applicant for what the office can look up itself.
    documents = models.JSONField("구비서류", default=list)
    fields = models.JSONField("신청 항목", default=list, blank=True)
    department = models.CharField("처리 부서", max_length=60)
    auto_rule = models.CharField("자동 처리 규칙", max_length=60, blank=True, default="")
    # 결재선: the roles whose 결재 an officer's decision needs, in order; empty: the
    # officer decides alone (전결).
    approval_line = models.JSONField("결재선", default=list, blank=True)
    source = models.CharField("출처", max_length=300, blank=True, default="")
    public = models.BooleanField("처리과정 공개", default=True)
    # 민감 민원 (기초생활보장, 장애인 등록 …): that someone applied is itself personal data,
    # so nothing about it is shown without the applicant's second factor.
    sensitive = models.BooleanField("민감 민원", default=False)
    active = models.BooleanField(default=True)
    catalog_version = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        verbose_name = "민원 사무"
        verbose_name_plural = "민원 사무"
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Application(models.Model):
    """민원 신청: one form, one receipt (접수증), one or more petitions. The receipt number
    is unique nationally and random, so it cannot be guessed from a neighbour's."""

    receipt_number = models.CharField("접수번호", max_length=32, unique=True)
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("접수 경로", max_length=12)
    applicant_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_name = models.CharField("신청인", max_length=60)
    applicant_birth = models.DateField("생년월일", null=True, blank=True)
    # The RRN's blind index (exact look-up, inbox address) and its ciphertext, never clear.
    identity_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    rrn_ciphertext = models.BinaryField(null=True, blank=True)
    email = models.CharField(max_length=254, blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    address = models.CharField(max_length=200, blank=True, default="")
    received_at = models.DateTimeField("접수 일시")
    recorded_at = models.DateTimeField()
    received_by = models.CharField(max_length=120, blank=True, default="")
    command_id = models.UUIDField(unique=True)

    class Meta:
        verbose_name = "민원 신청"
        verbose_name_plural = "민원 신청"

    def __str__(self) -> str:
        return self.receipt_number


class Petition(models.Model):
    """One petition of one type inside an application, with its own department, officer,
    state and legal deadline."""

    class State(models.TextChoices):
        RECEIVED = "received", "접수"
        ASSIGNED = "assigned", "배정"
        IN_REVIEW = "in_review", "검토 중"
        SUPPLEMENT = "supplement_requested", "보완 요구"
        AWAITING_APPROVAL = "awaiting_approval", "결재 중"
        DECIDED = "decided", "처리 완료"
        NOTIFIED = "notified", "통지 완료"
        TRANSFERRED = "transferred", "이송"
        WITHDRAWN = "withdrawn", "취하"
        RETURNED = "returned", "반려(보완 미이행)"
        CLOSED = "closed", "종결"

    class Outcome(models.TextChoices):
        APPROVED = "approved", "인용(처리)"
        REJECTED = "rejected", "불허(거부)"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="items")
    seq = models.PositiveSmallIntegerField()
    type = models.ForeignKey(PetitionType, on_delete=models.PROTECT, related_name="+")
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField("처리 부서", max_length=60)
    officer = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=24, choices=State.choices, default=State.RECEIVED)
    form = models.JSONField("신청 내용", default=dict, blank=True)
    documents = models.JSONField("제출 서류", default=list, blank=True)
    period = models.CharField(max_length=10)
    received_at = models.DateTimeField()
    deadline_at = models.DateTimeField("처리기한", db_index=True)
    # [[from, to], ...] ISO strings: 보완 and other periods excluded from the count.
    pauses = models.JSONField(default=list, blank=True)
    paused_since = models.DateTimeField(null=True, blank=True)
    supplement_due = models.DateTimeField(null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    extensions = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    reasons = models.TextField(blank=True, default="")
    remedies = models.TextField(blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_rule = models.CharField(max_length=60, blank=True, default="")
    # The draft decision's 결재: [{"role", "by", "by_name", "at", "acting_for", "comment"}].
    approvals = models.JSONField("결재", default=list, blank=True)
    drafted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transferred_to = models.CharField(max_length=120, blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)
    progress_noticed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "민원"
        verbose_name_plural = "민원"
        constraints = [
            models.UniqueConstraint(fields=["application", "seq"], name="petition_seq_once"),
        ]
        indexes = [models.Index(fields=["jurisdiction", "state", "deadline_at"])]

    def __str__(self) -> str:
        return f"{self.application.receipt_number}-{self.seq}"

    @property
    def number(self) -> str:
        return f"{self.application.receipt_number}-{self.seq}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


OPEN_STATES = (
    Petition.State.RECEIVED,
    Petition.State.ASSIGNED,
    Petition.State.IN_REVIEW,
    Petition.State.SUPPLEMENT,
    Petition.State.AWAITING_APPROVAL,  # the deadline keeps running during 결재
)


class PetitionStep(models.Model):
    """처리 과정: one step of one petition — who, when (both clocks), what, why. The public
    tracking page shows these (the ``note`` only where ``public``)."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(max_length=30)
    state = models.CharField(max_length=24)
    actor = models.CharField(max_length=120)
    actor_name = models.CharField(max_length=60, blank=True, default="")
    department = models.CharField(max_length=60, blank=True, default="")
    at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    note = models.TextField(blank=True, default="")
    public_note = models.TextField(blank=True, default="")
    deadline_at = models.DateTimeField(null=True, blank=True)
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "처리 과정"
        verbose_name_plural = "처리 과정"
        ordering = ["at", "id"]


class PetitionTypeVersion(models.Model):
    """One published version of a petition type's settings (처리기간, 수수료, 결재선 …). A
    change is a new version, never an edit of an old one: a petition received under
    version 3 can always be read against what version 3 said. ``PetitionType`` holds the
    settings of the latest version, which intake reads."""

    type = models.ForeignKey(PetitionType, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("판")
    settings = models.JSONField("설정")
    note = models.TextField("변경 사유", blank=True, default="")
    published_at = models.DateTimeField("공포 일시")
    published_by = models.CharField(max_length=120)
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "민원 사무 설정 판"
        verbose_name_plural = "민원 사무 설정 판"
        ordering = ["type", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["type", "number"], name="petition_type_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.type_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("a published version is never edited; publish a new one")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("a published version is never removed")


class Attachment(models.Model):
    """첨부 파일: a file an applicant handed in for one petition — on the application, for
    one of its type's documents, or with a 보완. The bytes live sealed in the
    ``attachments`` storage (``petitions.files``); this row is what the command recorded
    about them: where they are, their SHA-256, size and detected type, the name they were
    uploaded under, and which document they are."""

    class Kind(models.TextChoices):
        APPLICATION = "application", "신청"
        SUPPLEMENT = "supplement", "보완"

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("제출 단계", max_length=12, choices=Kind.choices)
    document = models.CharField("서류", max_length=200)
    file_name = models.CharField("파일 이름", max_length=200)
    content_type = models.CharField("파일 형식", max_length=60)
    size = models.PositiveBigIntegerField("크기(바이트)")
    sha256 = models.CharField("SHA-256", max_length=64)
    storage_key = models.CharField(max_length=200)
    attached_at = models.DateTimeField("제출 일시")
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "첨부 파일"
        verbose_name_plural = "첨부 파일"
        ordering = ["petition", "attached_at", "id"]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.file_name}"


class TrackingView(models.Model):
    """민원처리 인터넷공개's read model: one row per application holding exactly what the
    public tracking page and ``/api/track`` show (every petition with its state, deadline,
    department and public steps), so a look-up is one read by key. Kept by the subscribers
    in ``petitions.events`` inside the command's transaction; ``tracking.rebuild`` builds
    the same rows from the petitions themselves. ``factor`` is a keyed digest of the
    applicant's name and birth date (the second factor), never the clear values; the PIN
    is derived from the receipt number and needs nothing stored."""

    receipt_number = models.CharField("접수번호", max_length=32, primary_key=True)
    received_at = models.DateTimeField("접수 일시")
    channel = models.CharField("접수 경로", max_length=12)
    factor = models.CharField(max_length=64, blank=True, default="")
    petitions = models.JSONField("처리 과정", default=list)

    class Meta:
        verbose_name = "처리 과정 공개"
        verbose_name_plural = "처리 과정 공개"

    def __str__(self) -> str:
        return self.receipt_number

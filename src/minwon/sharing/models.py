"""행정정보 공동이용: agencies' signing keys, the subjects' consents, the message log of
every request, answer and denial, and declared provider outages.

Only ``sharing.commands`` writes these tables. The message log (``SharingMessage``) is
anchored in the kernel's audit chain: each entry is written by a command whose audit row
carries the digest of a result holding the entry's hash (``queries.verify_messages``).
"""

from __future__ import annotations

from django.db import models


class AgencySigningKey(models.Model):
    """An agency system's Ed25519 public key for HTTP message signatures (RFC 9421). The
    ``keyid`` of a signature is the agency's key prefix: one active key per agency."""

    client = models.ForeignKey(
        "accounts.AgencyClient", on_delete=models.PROTECT, related_name="+", verbose_name="기관"
    )
    keyid = models.CharField("키 ID", max_length=40, db_index=True)
    public_key = models.TextField("공개키 (PEM)")
    registered_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "기관 서명키"
        verbose_name_plural = "기관 서명키"
        constraints = [
            models.UniqueConstraint(
                fields=["keyid"], condition=models.Q(retired_at__isnull=True), name="one_live_key"
            ),
        ]


class Consent(models.Model):
    """정보주체 동의 (사전동의서): the subject lets one recipient (an agency, or an office)
    read these items for this purpose until a date. Revocable; never edited otherwise."""

    class Recipient(models.TextChoices):
        AGENCY = "agency", "기관"
        OFFICE = "office", "행정기관(관청)"

    reference = models.UUIDField("동의 번호", unique=True)
    subject_index = models.CharField(max_length=64, db_index=True)
    recipient_kind = models.CharField("이용기관 구분", max_length=8, choices=Recipient.choices)
    recipient_id = models.CharField("이용기관", max_length=20)
    recipient_name = models.CharField("이용기관명", max_length=120)
    items = models.JSONField("정보", default=list)
    purpose = models.CharField("이용 목적", max_length=40)
    valid_until = models.DateField("동의 기한")
    given_at = models.DateTimeField("동의 시각")
    channel = models.CharField("경로", max_length=12)
    revoked_at = models.DateTimeField("철회 시각", null=True, blank=True)
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "정보주체 동의"
        verbose_name_plural = "정보주체 동의"
        ordering = ["-given_at", "-id"]


class SharingMessage(models.Model):
    """One entry of the message log: a request with its answer, or a denial. Append-only."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "제공"
        DENIED = "denied", "거부"

    reference = models.UUIDField("요청 번호", unique=True)
    outcome = models.CharField("결과", max_length=8, choices=Outcome.choices)
    requester = models.CharField("요청자", max_length=60, db_index=True)
    requester_name = models.CharField("요청 기관", max_length=120)
    officer = models.CharField("담당자", max_length=100, blank=True, default="")
    item = models.CharField("정보", max_length=30, blank=True, default="")
    purpose = models.CharField("이용 목적", max_length=40, blank=True, default="")
    ground = models.CharField("근거", max_length=200, blank=True, default="")
    consent_reference = models.UUIDField(null=True, blank=True)
    case_reference = models.CharField("사건 번호", max_length=60, blank=True, default="")
    subject_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    subject_person_id = models.BigIntegerField(null=True, blank=True)
    provider = models.ForeignKey(
        "kernel.Jurisdiction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="제공 기관",
    )
    keyid = models.CharField(max_length=40, blank=True, default="")
    nonce = models.CharField(max_length=80, blank=True, default="")
    request_sha256 = models.CharField(max_length=64, blank=True, default="")
    answer = models.JSONField("답변", null=True, blank=True)
    answer_signature = models.JSONField(null=True, blank=True)
    denial_code = models.CharField("거부 사유", max_length=40, blank=True, default="")
    denial_message = models.CharField(max_length=300, blank=True, default="")
    deferred_until = models.DateField("열람 사실 통지 유예", null=True, blank=True)
    disclosed_at = models.DateTimeField(null=True, blank=True)
    entry_hash = models.CharField(max_length=64)
    command_id = models.UUIDField(db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "공동이용 메시지"
        verbose_name_plural = "공동이용 메시지"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_index", "at"], name="sharing_subject_at")]


class UsedNonce(models.Model):
    """A signature nonce already seen from an agency: a second use is a replay."""

    keyid = models.CharField(max_length=40)
    nonce = models.CharField(max_length=80)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["keyid", "nonce"], name="nonce_once")]


class ProviderOutage(models.Model):
    """A providing 시·군·구 that cannot answer (its system down, cut off): a national check
    reports it as "did not answer" instead of reading around it."""

    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("사유", max_length=200)
    since = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "제공기관 장애"
        verbose_name_plural = "제공기관 장애"


class Objection(models.Model):
    """이의 제기: the subject disputes a read of their data seen in their 열람 이력; it opens a
    case for the auditors of the jurisdiction that answered (or of the reading office)."""

    class Source(models.TextChoices):
        SHARING = "sharing", "행정정보 공동이용"
        ACCESS_LOG = "access_log", "업무 열람"

    reference = models.UUIDField("접수 번호", unique=True)
    subject_index = models.CharField(max_length=64, db_index=True)
    source = models.CharField("구분", max_length=12, choices=Source.choices)
    target = models.CharField("대상 기록", max_length=40)
    summary = models.CharField("열람 내용", max_length=300)
    text = models.TextField("이의 내용")
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField("접수 시각")
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "열람 이의 제기"
        verbose_name_plural = "열람 이의 제기"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_index", "source", "target"], name="object_once"
            )
        ]


class NoticeCursor(models.Model):
    """How far the access log has been told to its subjects (``NotifyStaffReads``)."""

    name = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)
    moved_at = models.DateTimeField(null=True, blank=True)


class SharingArchive(models.Model):
    """A block of message-log entries past their retention, moved out of the database into a
    signed archive file (``sharing.archive``). The row stays: ``audit verify`` checks that
    the file is there, unaltered, and holds exactly the entries its commands anchored."""

    name = models.CharField("파일", max_length=120, unique=True)
    sha256 = models.CharField(max_length=64)
    count = models.PositiveIntegerField("건수")
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    #: The entries' hashes, in id order, so a file swapped for another signed one still fails.
    entry_hashes = models.JSONField()
    command_id = models.UUIDField(unique=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "공동이용 메시지 보존 파일"
        verbose_name_plural = "공동이용 메시지 보존 파일"
        ordering = ["first_id"]

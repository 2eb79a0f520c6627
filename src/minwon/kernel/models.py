"""The kernel's tables: executed commands, the outbox, the audit chain, the personal-data
access log, administrative divisions and declared holidays.

Only the kernel writes these, and only from ``execute()`` or its own append functions.
"""

from __future__ import annotations

from django.db import models


class Jurisdiction(models.Model):
    """행정구역: a 시·도, 시·군·구, 일반구 or 읍·면·동 with its 10-digit code and the period
    the code was in force. Codes change (강원 42→51 in 2023, 전북 45→52 in 2024), so a
    retired code points at its successor instead of being rewritten.
    """

    class Level(models.TextChoices):
        SIDO = "sido", "시·도"
        SIGUNGU = "sigungu", "시·군·구"
        GU = "gu", "구"
        EUPMYEONDONG = "eupmyeondong", "읍·면·동"
        NATION = "nation", "국가"

    code = models.CharField("행정구역코드", max_length=10, primary_key=True)
    name = models.CharField("이름", max_length=50)
    full_name = models.CharField("전체 이름", max_length=120)
    level = models.CharField("단계", max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes from the 시·도 down ("5100000000/5113000000/"): subtree
    # scope checks are one indexed prefix comparison.
    path = models.CharField(max_length=60, db_index=True)
    valid_from = models.DateField("시행일")
    valid_to = models.DateField("폐지일", null=True, blank=True)
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="predecessors"
    )

    class Meta:
        verbose_name = "행정구역"
        verbose_name_plural = "행정구역"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"

    @property
    def in_force(self) -> bool:
        return self.valid_to is None


class CommandRecord(models.Model):
    """One executed command: the idempotency key, what it asked (digest of its content) and
    the result returned, so a repeat is answered without a second effect."""

    command_id = models.UUIDField(primary_key=True)
    name = models.CharField(max_length=80, db_index=True)
    digest = models.CharField(max_length=64)
    payload = models.JSONField()
    result = models.JSONField(null=True)
    actor = models.CharField(max_length=120)
    channel = models.CharField(max_length=12)
    jurisdiction = models.CharField(max_length=10, db_index=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "실행된 명령"
        verbose_name_plural = "실행된 명령"


class OutboxEvent(models.Model):
    """A domain event appended in the command's transaction. ``id`` orders events."""

    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=80, db_index=True)
    payload = models.JSONField()
    command_id = models.UUIDField(db_index=True)
    jurisdiction = models.CharField(max_length=10)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "이벤트"
        verbose_name_plural = "이벤트"


class OutboxDelivery(models.Model):
    """Delivery of one event to one out-of-process receiver, at least once, with retry and
    backoff; after too many failures it is parked as ``dead`` for an operator."""

    class State(models.TextChoices):
        PENDING = "pending", "대기"
        DELIVERED = "delivered", "전달됨"
        DEAD = "dead", "전달 실패(보류)"

    event = models.ForeignKey(OutboxEvent, on_delete=models.PROTECT, related_name="deliveries")
    receiver = models.CharField(max_length=80)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "이벤트 전달"
        verbose_name_plural = "이벤트 전달"
        constraints = [
            models.UniqueConstraint(fields=["event", "receiver"], name="outbox_delivery_once"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]


class AuditHead(models.Model):
    """The last link of one audit chain. Locking it serialises appends to that chain, and it
    lets ``audit verify`` notice a removed last row."""

    chain = models.CharField(max_length=16, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)


class AuditRecord(models.Model):
    """감사 기록: append-only, hash-chained per jurisdiction chain. Each row's hash covers its
    content and the previous row's hash, so an edit, a removal or a reordering breaks it."""

    id = models.BigAutoField(primary_key=True)
    chain = models.CharField(max_length=16)
    seq = models.BigIntegerField()
    command_id = models.UUIDField()
    name = models.CharField(max_length=80)
    actor = models.CharField(max_length=120)
    channel = models.CharField(max_length=12)
    jurisdiction = models.CharField(max_length=10)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    payload_digest = models.CharField(max_length=64)
    result_digest = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "감사 기록"
        verbose_name_plural = "감사 기록"
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq"),
        ]


class AccessLog(models.Model):
    """개인정보 열람 기록: who read whose personal data, when, what and why. Kept two years."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=120, db_index=True)
    channel = models.CharField(max_length=12)
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64, db_index=True)
    what = models.CharField(max_length=120)
    purpose = models.CharField(max_length=200)
    jurisdiction = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        verbose_name = "개인정보 열람 기록"
        verbose_name_plural = "개인정보 열람 기록"


class Throttle(models.Model):
    """A rate-limit counter (``kernel.throttle``): attempts of one kind (``scope``) from one
    key (a client address, an address with the identity it probes) since ``started``.
    Plumbing written outside ``execute()``, like the access log: a refusal is not a command.
    The key is a digest, so the table holds neither addresses nor numbers in clear."""

    scope = models.CharField(max_length=24)
    key = models.CharField(max_length=64)
    hits = models.IntegerField(default=0)
    started = models.FloatField()

    class Meta:
        verbose_name = "요청 제한 계수"
        verbose_name_plural = "요청 제한 계수"
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="throttle_once")]
        indexes = [models.Index(fields=["started"], name="throttle_started")]


class DeclaredHoliday(models.Model):
    """임시공휴일 (or any day off) declared by an administrator on top of the statutory list."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=60)
    declared_by = models.CharField(max_length=120)
    declared_at = models.DateTimeField()

    class Meta:
        verbose_name = "임시공휴일"
        verbose_name_plural = "임시공휴일"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"

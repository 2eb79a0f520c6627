"""The portal's models: the 자동취합 campaigns (below) and the search read model,
``SearchDocument``, one row per searchable record (a person, a household, a petition, a
permit, a parcel, a vehicle, an issued document, a 자동취합 campaign).

It is kept by event subscribers inside the transaction of the change (``portal.events``), and
can be rebuilt from the registers (``minwon search rebuild``). Each row carries the policy
key — the record's jurisdiction path and the permission that may see it — so the policy
filter runs inside the search query, before its limit; up to three exact keys (btree); and
the application-made tokens (``portal.tokens``) that the database indexes as words:
PostgreSQL a generated ``tsvector`` column with a GIN index, SQLite an FTS5 table kept by
triggers (both made in migration 0002).
"""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    PERSON = "person", "주민"
    HOUSEHOLD = "household", "세대"
    PETITION = "petition", "민원"
    PERMIT = "permit", "인허가"
    PARCEL = "parcel", "토지"
    VEHICLE = "vehicle", "자동차"
    DOCUMENT = "document", "발급 문서"
    CAMPAIGN = "campaign", "자동취합"


class SearchDocument(models.Model):
    """통합검색 색인: what a hit shows (title, details, link target), who may see it, and how
    it is found. Never a resident number in clear: a person's exact key is its blind index."""

    kind = models.CharField("구분", max_length=10, choices=Kind.choices)
    entity_id = models.CharField("대상 식별자", max_length=40)
    jurisdiction_path = models.CharField("관할 경로", max_length=60)
    permission = models.CharField("열람 권한", max_length=40)
    title = models.CharField("제목", max_length=200)
    details = models.CharField("내용", max_length=400, blank=True, default="")
    key1 = models.CharField(max_length=80, blank=True, default="")
    key2 = models.CharField(max_length=80, blank=True, default="")
    key3 = models.CharField(max_length=80, blank=True, default="")
    tokens = models.TextField("검색어 토큰")

    class Meta:
        verbose_name = "통합검색 색인"
        verbose_name_plural = "통합검색 색인"
        constraints = [
            models.UniqueConstraint(fields=["kind", "entity_id"], name="search_document_once")
        ]
        indexes = [
            models.Index(fields=["key1"], name="search_key1"),
            models.Index(fields=["key2"], name="search_key2"),
            models.Index(fields=["key3"], name="search_key3"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.entity_id} {self.title}"


class SearchAudience(models.Model):
    """Who else may see a search document, beyond its own policy key: a campaign is its
    office's (the document's key), and also each recipient's — an office, or one department
    of it — so it carries one row per recipient. The search's policy condition asks for
    the document's key OR one of these rows (an EXISTS inside the same statement, before
    the limit). Keyed by (kind, entity id) like the document, without a foreign key, so
    that dropping every document (a rebuild) stays one DELETE."""

    kind = models.CharField("구분", max_length=10, choices=Kind.choices)
    entity_id = models.CharField("대상 식별자", max_length=40)
    jurisdiction_path = models.CharField("관할 경로", max_length=60)
    permission = models.CharField("열람 권한", max_length=40)
    #: a department (부서) of that office whose staff alone see it; "" for the whole office
    department = models.CharField("부서", max_length=60, blank=True, default="")

    class Meta:
        verbose_name = "통합검색 열람 대상"
        verbose_name_plural = "통합검색 열람 대상"
        indexes = [models.Index(fields=["kind", "entity_id"], name="search_audience_entity")]


# --- 자동취합 (data-collection campaigns) ---------------------------------------------------


class Campaign(models.Model):
    """자동취합: a form an office sends to departments or 읍·면·동, answered by a deadline and
    consolidated into one spreadsheet. ``previous`` is the round before (prefill, differences)."""

    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="주관 기관"
    )
    department = models.CharField("주관 부서", max_length=60, blank=True, default="")
    title = models.CharField("제목", max_length=200)
    round_label = models.CharField("회차", max_length=40, blank=True, default="")
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opens_at = models.DateTimeField("시작 일시")
    deadline_at = models.DateTimeField("마감 일시")
    grace_hours = models.PositiveIntegerField("유예 시간", default=0)
    created_by_id = models.IntegerField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "자동취합"
        verbose_name_plural = "자동취합"

    def __str__(self) -> str:
        return self.title


class FormVersion(models.Model):
    """One version of a campaign's form (양식 판): published versions are never changed, so
    an answer keeps the version it was given against."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("판")
    definition = models.JSONField("양식")
    published_at = models.DateTimeField()

    class Meta:
        verbose_name = "취합 양식 판"
        verbose_name_plural = "취합 양식 판"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="form_version_once")
        ]


class Recipient(models.Model):
    """Who must answer: an office (읍·면·동, a 시·군·구) or one department of it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="recipients")
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField("부서", max_length=60, blank=True, default="")

    class Meta:
        verbose_name = "취합 대상"
        verbose_name_plural = "취합 대상"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "jurisdiction", "department"], name="recipient_once"
            )
        ]


class Answer(models.Model):
    """One version of a recipient's answer (응답 판): a correction is a new row, the former
    stays (``current`` marks the newest), so the audit and the export show both."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="answers")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="answers")
    number = models.PositiveIntegerField("응답 판")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField("응답")
    #: the keys of the fields whose value came from the prefill and was kept as it was
    prefilled = models.JSONField("미리 채운 항목", default=list)
    current = models.BooleanField(default=True)
    submitted_by_id = models.IntegerField(null=True)
    submitted_by_name = models.CharField("작성자", max_length=80, default="")
    submitted_at = models.DateTimeField("제출 일시")
    late = models.BooleanField("기한 후 제출", default=False)
    reason = models.CharField("정정 사유", max_length=200, blank=True, default="")
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "취합 응답"
        verbose_name_plural = "취합 응답"
        constraints = [
            models.UniqueConstraint(fields=["recipient", "number"], name="answer_version_once"),
        ]
        indexes = [models.Index(fields=["campaign", "current"], name="answer_current")]


class Reminder(models.Model):
    """A reminder or escalation sent to one recipient on one occasion: the row is the
    guarantee that a second sweep does not send it again."""

    class Occasion(models.TextChoices):
        OPENING = "opening", "시작 안내"
        HALFWAY = "halfway", "중간 독촉"
        DAY_BEFORE = "day_before", "마감 전날 독촉"
        ESCALATION = "escalation", "마감 후 부서장 보고"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="reminders")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="reminders")
    occasion = models.CharField(max_length=12, choices=Occasion.choices)
    sent_at = models.DateTimeField()
    notified = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "취합 독촉"
        verbose_name_plural = "취합 독촉"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "recipient", "occasion"], name="reminder_once"
            )
        ]

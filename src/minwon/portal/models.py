"""The portal's read model: ``SearchDocument``, one row per searchable record (a person, a
household, a petition, a permit, a parcel, a vehicle, an issued document).

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

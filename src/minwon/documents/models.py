"""발급대장 (issuance ledger) and the issued files.

One row per issued document, never changed afterwards (DESIGN §3.7): the model refuses
saves of an existing row and deletes, its manager refuses bulk updates and deletes, and the
migration installs database triggers that abort any UPDATE or DELETE, so even raw SQL
cannot rewrite history. The PDF's SHA-256 is in the row, so a changed file is detected.
Only ``documents.commands`` inserts rows.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from minwon.documents.catalog import CertType, PaymentMethod, Relation
from minwon.documents.keys import Mode


class ImmutableRow(Exception):
    """Raised on any attempt to change or remove a ledger row through the application."""


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise ImmutableRow("발급대장은 변경하거나 삭제할 수 없습니다 (ledger rows are immutable).")


class AppendOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Querysets that can read and insert but never update or delete."""

    update = _refuse  # type: ignore[assignment]
    delete = _refuse  # type: ignore[assignment]
    bulk_update = _refuse  # type: ignore[assignment]
    update_or_create = _refuse  # type: ignore[assignment]


class AppendOnly(models.Model):
    """Base for append-only rows: inserting is the only write."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class Issuance(AppendOnly):
    """발급대장: one issued certificate — what, about whom, for whom, where, when, for how
    much, and the hash and key that make it verifiable."""

    document_number = models.CharField("문서확인번호", max_length=16, primary_key=True)
    verification_code = models.CharField("확인코드", max_length=8)
    cert_type = models.CharField(
        "증명서 종류", max_length=20, choices=[(t.value, t.value) for t in CertType]
    )
    subject_type = models.CharField("대상 구분", max_length=10)
    subject_ref = models.CharField("대상", max_length=40, db_index=True)
    subject_name = models.CharField("대상 성명·명칭(가림)", max_length=100)
    requester = models.CharField("신청인(행위자)", max_length=120)
    requester_index = models.CharField("신청인 식별 색인", max_length=64, blank=True, default="")
    relation = models.CharField(
        "자격", max_length=10, choices=[(r.value, r.value) for r in Relation]
    )
    delegate_name = models.CharField("대리인 성명", max_length=60, blank=True, default="")
    authority_reference = models.CharField(
        "위임장·법령 근거", max_length=200, blank=True, default=""
    )
    channel = models.CharField("발급 경로", max_length=10)
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="발급 기관"
    )
    office = models.CharField("발급 장소(기관 코드)", max_length=10, blank=True, default="")
    kiosk_id = models.CharField("무인민원발급기", max_length=40, blank=True, default="")
    issued_at = models.DateTimeField("발급 시각", db_index=True)
    occurred_at = models.DateTimeField("신청 시각")
    fee = models.PositiveIntegerField("수수료(원)")
    payment_method = models.CharField(
        "수납 방법", max_length=8, choices=[(p.value, p.value) for p in PaymentMethod]
    )
    options = models.JSONField("발급 선택 사항", default=dict)
    summary = models.JSONField("진위확인 표시 항목", default=dict)
    content_sha256 = models.CharField("내용 해시(SHA-256)", max_length=64, unique=True)
    size = models.PositiveIntegerField("파일 크기")
    signing_key_id = models.CharField("서명 키", max_length=32)
    mode = models.CharField("발급 모드", max_length=10, choices=[(m.value, m.value) for m in Mode])
    command_id = models.UUIDField(unique=True)

    class Meta:
        verbose_name = "발급대장"
        verbose_name_plural = "발급대장"
        indexes = [models.Index(fields=["jurisdiction", "issued_at"], name="issuance_juris_time")]

    def __str__(self) -> str:
        return f"{self.document_number} {self.cert_type}"


class IssuedFile(AppendOnly):
    """The signed PDF exactly as issued (kept so a citizen can download it again and the
    verification service can compare uploads byte for byte)."""

    issuance = models.OneToOneField(
        Issuance, primary_key=True, on_delete=models.PROTECT, related_name="file"
    )
    pdf = models.BinaryField()  # sealed when it reveals resident numbers (documents.sealing)

    class Meta:
        verbose_name = "발급 문서 파일"
        verbose_name_plural = "발급 문서 파일"

    def content(self) -> bytes:
        """The PDF as issued (decrypted where it was stored sealed)."""
        from minwon.documents.sealing import open_pdf

        return open_pdf(self.issuance_id, self.pdf)

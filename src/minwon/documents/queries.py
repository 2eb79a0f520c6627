"""Reads over the ledger: verification (진위확인) by number and second factor or by the
file itself, downloads for the people entitled to them, and scoped lists for staff.

Verification is public, so it is rate-limited per client address (``ratelimit``) to make
enumerating numbers useless: a number is 50 random bits plus a 40-bit code printed only on
the document.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
from typing import Any

from django.db.models import QuerySet

from minwon.documents import policies, sealing
from minwon.documents.models import Issuance, IssuedFile
from minwon.documents.pdf.writer import NUMBER_KEY
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.text import ascii_digits
from minwon.kernel.types import Actor

_NUMBER_IN_PDF = re.compile(re.escape(NUMBER_KEY) + rb" \((\d{16})\)")


def normalize_number(value: str, *, field: str = "document_number") -> str:
    """Digits of a 문서확인번호 as typed (hyphens and spaces allowed); 400 when malformed."""
    from minwon.documents.commands import luhn_valid

    digits = re.sub(r"[\s-]", "", ascii_digits(value or ""))
    if not luhn_valid(digits):
        raise ValidationFailed(
            "문서확인번호는 16자리 숫자입니다. 다시 확인하세요.",
            "A document number has 16 digits; please check it.",
            field=field,
        )
    return digits


@dataclasses.dataclass(frozen=True)
class Verification:
    """The answer of the verification service: ``genuine``, ``altered`` or ``unknown``."""

    status: str
    issuance: Issuance | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status}
        row = self.issuance
        if row is not None and self.status == "genuine":
            body.update(
                document_number=row.document_number,
                cert_type=row.cert_type,
                title=row.summary.get("title", ""),
                issuer=row.summary.get("issuer", ""),
                issued_at=row.issued_at.isoformat(),
                channel=row.channel,
                subject=row.subject_name,
                fields={k: v for k, v in row.summary.items() if k not in ("title", "issuer")},
                content_sha256=row.content_sha256,
                signing_key_id=row.signing_key_id,
                mode=row.mode,
            )
        elif row is not None:
            body["document_number"] = row.document_number
        return body


def verify_by_number(number: str, code: str) -> Verification:
    """Both the number and the code printed beside it must match; a wrong code answers
    exactly like an unknown number, so the answer leaks nothing."""
    digits = normalize_number(number)
    given = re.sub(r"[\s-]", "", code or "").upper()
    if not given:
        raise ValidationFailed(
            "문서에 인쇄된 확인코드를 입력하세요.", "Enter the code printed on the document.",
            field="code",
        )  # fmt: skip
    row = Issuance.objects.select_related("jurisdiction").filter(pk=digits).first()
    if row is None or not hmac.compare_digest(row.verification_code.encode(), given.encode()):
        return Verification("unknown")
    return Verification("genuine", row)


def verify_file(data: bytes) -> Verification:
    """Genuine if the bytes are exactly an issued document; altered if they name a
    document number we issued but differ from it; unknown otherwise."""
    digest = hashlib.sha256(data).hexdigest()
    row = Issuance.objects.filter(content_sha256=digest).first()
    if row is not None:
        return Verification("genuine", row)
    match = _NUMBER_IN_PDF.search(data)
    if match:
        row = Issuance.objects.filter(pk=match.group(1).decode()).first()
        if row is not None:
            return Verification("altered", row)
    return Verification("unknown")


def issuances_for(actor: Actor) -> QuerySet[Issuance]:
    """What an actor may list (``policies.visible``)."""
    return policies.visible(actor)


def pdf_for(actor: Actor, number: str, *, kiosk_numbers: frozenset[str] = frozenset()) -> bytes:
    """The issued file, for whoever ``policies.issuance`` lets read it; anyone else gets
    404 (not 403, so numbers cannot be probed)."""
    digits = normalize_number(number)
    row = policies.issuance(actor, digits, kiosk_numbers=kiosk_numbers)
    file = IssuedFile.objects.filter(pk=row.pk).values_list("pdf", flat=True).first()
    if file is None:
        raise policies.not_found()
    return sealing.open_pdf(row.pk, file)

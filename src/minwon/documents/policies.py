"""Who may list issued certificates and download their files (DESIGN §3.6), for the
pages, the API and the kiosk.

Staff list and download their jurisdictions' ledger with ``documents.read``; citizens and
agencies what they themselves obtained; a kiosk session the documents it issued. Anyone
else gets the same 404 as for a number never issued, so numbers cannot be probed. A file
shows a person's record, so staff downloading one they did not obtain themselves is
access-logged.
"""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.accounts import policies as base
from minwon.documents.models import Issuance
from minwon.documents.permissions import DocumentsPermission
from minwon.kernel.errors import NotFound
from minwon.kernel.privacy import log_access
from minwon.kernel.types import Actor, ActorKind, Channel

READ = DocumentsPermission.READ
_OBTAINERS = (ActorKind.CITIZEN, ActorKind.AGENCY, ActorKind.STAFF)


def not_found() -> NotFound:
    return NotFound("문서를 찾을 수 없습니다.", "Document not found.", field="document_number")


def visible(actor: Actor) -> QuerySet[Issuance]:
    """What an actor may list: staff their jurisdictions' ledger, citizens and agencies what
    they themselves obtained, nobody else anything."""
    qs = Issuance.objects.select_related("jurisdiction").order_by("-issued_at")
    if actor.kind == ActorKind.STAFF:
        return base.restrict(qs, actor, READ)
    if actor.kind in (ActorKind.CITIZEN, ActorKind.AGENCY):
        return qs.filter(requester=str(actor))
    return qs.none()


def can_read(
    actor: Actor, issuance: Issuance, *, kiosk_numbers: frozenset[str] = frozenset()
) -> bool:
    """The requester, the kiosk session that issued it, or staff in scope."""
    if issuance.requester == str(actor) and actor.kind in _OBTAINERS:
        return True
    if issuance.document_number in kiosk_numbers:
        return True
    return actor.kind == ActorKind.STAFF and base.may(actor, READ, issuance.jurisdiction_id)


def issuance(
    actor: Actor,
    number: str,
    *,
    kiosk_numbers: frozenset[str] = frozenset(),
    channel: Channel | str = Channel.COUNTER,
) -> Issuance:
    """The issuance ``number`` if ``actor`` may read it (the same 404 otherwise)."""
    row = Issuance.objects.filter(pk=number).first()
    if row is None or not can_read(actor, row, kiosk_numbers=kiosk_numbers):
        raise not_found()
    if actor.kind == ActorKind.STAFF and row.requester != str(actor):
        log_access(
            actor=actor, channel=channel, subject_type=row.subject_type,
            subject_id=row.subject_ref, what=f"certificate:{row.document_number}",
            purpose="발급 문서 열람", jurisdiction=row.jurisdiction_id,
        )  # fmt: skip
    return row


def require_citizen_page(actor: Actor) -> None:
    base.require_citizen(actor)


def require_staff_page(actor: Actor) -> None:
    base.require_staff(actor)

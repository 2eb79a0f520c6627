"""Who may list issued certificates and download their files (DESIGN §3.6), for the
pages, the API and the kiosk.

Staff list and download their jurisdictions' ledger with ``documents.read``; citizens and
agencies what they themselves obtained; a kiosk session the documents it issued. Anyone
else gets the same 404 as for a number never issued, so numbers cannot be probed. A file
shows a person's record, so staff downloading one they did not obtain themselves is
access-logged.

A citizen online may also choose whom a resident certificate is about (발급 대상):
themselves and, where the type allows a household member (``Relation.HOUSEHOLD``: 등본,
초본), each current member of their own household. The page offers exactly these, so
nobody types an internal code; ``IssueCertificate`` still decides (``commands._relation``).
"""

from __future__ import annotations

import dataclasses

from django.db.models import QuerySet

from minwon.accounts import policies as base
from minwon.documents.catalog import CATALOG, CertType, Relation
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


SELF = "self"


@dataclasses.dataclass(frozen=True)
class SubjectChoice:
    """One person the actor may name as the subject, and for which certificate types."""

    value: str  # "self" or the member's person id, as IssueCertificate.subject takes it
    name: str
    relationship: str  # 세대주와의 관계, in Korean as the register states it
    is_self: bool
    cert_types: tuple[str, ...]


def _person_types(relation: Relation) -> tuple[str, ...]:
    return tuple(
        code.value
        for code, spec in CATALOG.items()
        if spec.subject_kind == "person" and relation in spec.relations
    )


def requestable_subjects(actor: Actor) -> list[SubjectChoice]:
    """The persons a citizen may obtain a resident certificate about: themselves first,
    then the other current members of their household in register order."""
    if actor.kind != ActorKind.CITIZEN or actor.id is None:
        return []
    from minwon.accounts.models import User
    from minwon.registry import queries as registry

    index = User.objects.filter(pk=actor.id).values_list("identity_index", flat=True).first()
    found = registry.person_with_household(index or "")
    if found is None:
        return []
    person, household = found
    members = household[1] if household is not None else []
    own = next((m for m in members if m.person_id == person.pk), None)
    choices = [
        SubjectChoice(
            SELF, person.name, own.get_relationship_display() if own else "", True,
            _person_types(Relation.SELF),
        )
    ]  # fmt: skip
    others = _person_types(Relation.HOUSEHOLD)
    choices += [
        SubjectChoice(str(m.person_id), m.person.name, m.get_relationship_display(), False, others)
        for m in members
        if m.person_id != person.pk
    ]
    return choices


def can_request(actor: Actor, cert_type: str, subject: str) -> bool:
    """Whether ``subject`` is one of the actor's choices for ``cert_type``."""
    return any(
        c.value == subject and cert_type in c.cert_types for c in requestable_subjects(actor)
    )


def needs_person(cert_type: str) -> bool:
    """A certificate about a resident (chosen from the list), not a parcel, vehicle or
    business (named by its number)."""
    try:
        return CATALOG[CertType(cert_type)].subject_kind == "person"
    except ValueError:
        return False

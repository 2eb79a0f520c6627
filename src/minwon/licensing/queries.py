"""Permit reads for pages, the API, certificates (영업신고증) and the national sanction
check."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q, QuerySet

from minwon.kernel.types import Actor

from . import policies
from .models import Permit, PermitNotice, Sanction, SanctionKind


def permits_for(actor: Actor, permission: str = policies.READ) -> QuerySet[Permit]:
    """Permits in scope, unlogged (certificate providers); pages and the API read
    ``policies.visible``."""
    return policies.scoped(actor, permission)


def sanctions_of(permit: Permit) -> list[Sanction]:
    return list(permit.sanctions.order_by("starts_on", "id"))


def notices_of(permit: Permit) -> list[PermitNotice]:
    return list(permit.notices.order_by("-created_at"))


def revoked_permits(holder_id: int, kind: str) -> list[Permit]:
    """National check (DESIGN §1): this holder's revoked permits of a kind, anywhere."""
    return list(Permit.objects.filter(holder_id=holder_id, kind=kind, status="revoked"))


#: 영업허가 등의 제한 (식품위생법 제38조 and its kin in other business laws): after a
#: revocation or closure the same person may not get a permit of the same kind for this long.
BAR_AFTER_REVOCATION_DAYS = 2 * 365
BARRING_BASIS = "식품위생법 제38조"


def barring_sanctions(
    holder_id: int, kind: str, *, on: date, jurisdiction: str | None = None
) -> list[Sanction]:
    """The sanctions that bar ``holder_id`` from a new permit of ``kind`` on ``on``: a
    revocation or closure less than ``BAR_AFTER_REVOCATION_DAYS`` old, or a suspension in
    force. National unless ``jurisdiction`` (a 시·군·구) narrows it to one provider. Each
    sanction comes with its ``permit`` and the permit's ``jurisdiction``."""
    since = on - timedelta(days=BAR_AFTER_REVOCATION_DAYS)
    qs = Sanction.objects.select_related("permit__jurisdiction").filter(
        permit__holder_id=holder_id, permit__kind=kind
    )
    if jurisdiction is not None:
        qs = qs.filter(permit__jurisdiction_id=jurisdiction)
    ended = Q(kind__in=[SanctionKind.REVOCATION, SanctionKind.CLOSURE], starts_on__gt=since)
    suspended = Q(kind=SanctionKind.SUSPENSION, starts_on__lte=on) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )
    return list(qs.filter(ended | suspended).order_by("starts_on", "id"))


def sanction_hit(sanction: Sanction) -> dict[str, str | None]:
    """A barring sanction as a check reports it: where, what, when and under which law."""
    return {
        "jurisdiction": sanction.permit.jurisdiction_id,
        "jurisdiction_name": sanction.permit.jurisdiction.full_name,
        "sanction": sanction.get_kind_display(),
        "starts_on": sanction.starts_on.isoformat(),
        "ends_on": sanction.ends_on.isoformat() if sanction.ends_on else None,
        "legal_basis": sanction.legal_basis,
    }

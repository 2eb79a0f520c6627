"""Permit reads for pages, the API, certificates (영업신고증) and the national sanction
check."""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.kernel.types import Actor

from . import policies
from .models import Permit, PermitNotice, Sanction


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

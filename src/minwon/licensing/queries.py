"""Permit reads for pages, the API, certificates (영업신고증) and the national sanction
check."""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.accounts.permissions import in_scope
from minwon.kernel.errors import NotFound
from minwon.kernel.privacy import log_access
from minwon.kernel.types import Actor, Channel

from .models import Permit, PermitNotice, Sanction


def permits_for(actor: Actor, permission: str = "licensing.read") -> QuerySet[Permit]:
    qs: QuerySet[Permit] = in_scope(
        Permit.objects.select_related("holder", "jurisdiction"), actor, permission
    )
    return qs


def permits_of_person(person_id: int) -> list[Permit]:
    return list(Permit.objects.filter(holder_id=person_id).order_by("granted_on", "id"))


def permit_detail(
    actor: Actor, permit_id: int, *, purpose: str, channel: str = Channel.COUNTER
) -> Permit:
    permit = permits_for(actor).filter(pk=permit_id).first()
    if permit is None:
        raise NotFound("인허가를 찾을 수 없습니다.", "Permit not found.", field="permit_id")
    log_access(
        actor=actor,
        channel=channel,
        subject_type="person",
        subject_id=str(permit.holder_id),
        what=f"permit:{permit.pk}",
        purpose=purpose or "인허가 조회",
    )
    return permit


def sanctions_of(permit: Permit) -> list[Sanction]:
    return list(permit.sanctions.order_by("starts_on", "id"))


def notices_of(permit: Permit) -> list[PermitNotice]:
    return list(permit.notices.order_by("-created_at"))


def revoked_permits(holder_id: int, kind: str) -> list[Permit]:
    """National check (DESIGN §1): this holder's revoked permits of a kind, anywhere."""
    return list(Permit.objects.filter(holder_id=holder_id, kind=kind, status="revoked"))

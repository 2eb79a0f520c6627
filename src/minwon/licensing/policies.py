"""Who may read the permit register (인허가), for pages, the API and other apps.

Staff with ``licensing.read`` over the permit's jurisdiction read it; a permit shows its
holder, so every permit read is access-logged by the queryset itself. Out of scope and
absent are the same 404. The national sanction check (``queries.revoked_permits``) is a
command-side rule, not a read of this policy.
"""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.accounts import policies as base
from minwon.kernel.errors import NotFound
from minwon.kernel.types import Actor, Channel

from .models import Permit
from .permissions import LicensingPermission

READ = LicensingPermission.READ


def scoped(actor: Actor, permission: str = READ) -> QuerySet[Permit]:
    """Permits in scope, unlogged: for commands and certificate providers that record the
    read themselves."""
    return base.restrict(Permit.objects.select_related("holder", "jurisdiction"), actor, permission)


def visible(
    actor: Actor, permission: str = READ, *, purpose: str, channel: Channel | str = Channel.COUNTER
) -> QuerySet[Permit]:
    """Permits ``actor`` may read; each one read logs its holder (``permit:<id>``)."""
    return base.personal(
        scoped(actor, permission), actor=actor, purpose=purpose or "인허가 조회",
        channel=channel, subject="holder_id", label="permit", keyed=True,
    )  # fmt: skip


def can_read(actor: Actor, permit: Permit) -> bool:
    return base.may(actor, READ, permit.jurisdiction_id)


def permit(
    actor: Actor, permit_id: int, *, purpose: str, channel: Channel | str = Channel.COUNTER
) -> Permit:
    found = visible(actor, purpose=purpose, channel=channel).filter(pk=permit_id).first()
    if found is None:
        raise NotFound("인허가를 찾을 수 없습니다.", "Permit not found.", field="permit_id")
    return found


def permits_of(
    actor: Actor,
    person_id: int,
    *,
    purpose: str,
    channel: Channel | str = Channel.COUNTER,
    limit: int = 100,
) -> list[Permit]:
    qs = visible(actor, purpose=purpose, channel=channel).filter(holder_id=person_id)
    return list(qs.order_by("granted_on", "id")[:limit])

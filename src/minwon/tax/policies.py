"""Who may read local tax bills (지방세 고지), for pages, the API and other apps.

Staff with ``tax.read`` over the bill's jurisdiction (the levying 시·군·구) read it; a
bill shows its taxpayer, so every bill read is access-logged by the queryset itself.
Out of scope and absent are the same 404.
"""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.accounts import policies as base
from minwon.kernel.errors import NotFound
from minwon.kernel.types import Actor, Channel

from .models import TaxBill
from .permissions import TaxPermission

READ = TaxPermission.READ


def visible(
    actor: Actor, permission: str = READ, *, purpose: str, channel: Channel | str = Channel.COUNTER
) -> QuerySet[TaxBill]:
    """Bills ``actor`` may read; each bill read logs its taxpayer (``tax_bill:<id>``)."""
    scoped = base.restrict(
        TaxBill.objects.select_related("taxpayer", "jurisdiction"), actor, permission
    )
    return base.personal(
        scoped, actor=actor, purpose=purpose or "지방세 조회", channel=channel,
        subject="taxpayer_id", label="tax_bill", keyed=True,
    )  # fmt: skip


def can_read(actor: Actor, bill: TaxBill) -> bool:
    return base.may(actor, READ, bill.jurisdiction_id)


def bill(
    actor: Actor, bill_id: int, *, purpose: str, channel: Channel | str = Channel.COUNTER
) -> TaxBill:
    found = visible(actor, purpose=purpose, channel=channel).filter(pk=bill_id).first()
    if found is None:
        raise NotFound("고지서를 찾을 수 없습니다.", "Bill not found.", field="bill_id")
    return found


def bills_of(
    actor: Actor,
    person_id: int,
    *,
    purpose: str,
    channel: Channel | str = Channel.COUNTER,
    limit: int = 100,
) -> list[TaxBill]:
    """A person's bills that ``actor`` may read, newest due date first (the person page
    and ``GET /api/tax-bills?taxpayer_id=`` answer with this same list)."""
    qs = visible(actor, purpose=purpose, channel=channel).filter(taxpayer_id=person_id)
    return list(qs.order_by("-due_on", "-id")[:limit])

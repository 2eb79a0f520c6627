"""Who may pay and who may refund (수수료): every "who may" of the payments app.

- A charge is recorded by the person paying on their own channel — a citizen online, the
  person a kiosk verified — or by a clerk taking the fee at the counter (the petitions
  intake permission over the office).
- A charge is given back by its payer while it pays for nothing yet (the filing it paid
  for was refused), or by staff holding ``payments.refund`` over the payment's office;
  anyone else is told the payment does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from minwon.accounts import policies as base
from minwon.kernel.bus import Context
from minwon.kernel.errors import Forbidden
from minwon.kernel.types import Actor, ActorKind, Channel
from minwon.payments.models import Payment
from minwon.payments.permissions import PaymentsPermission
from minwon.petitions.permissions import PetitionsPermission


def payer(actor: Actor) -> str:
    """Who a payment is of: a kiosk's verified person by their blind index (the actor of an
    anonymous person), anyone else by their actor reference."""
    if actor.kind == ActorKind.ANONYMOUS:
        return f"anonymous:{actor.name}"
    return str(actor)


def require_payer(ctx: Context, channel: Channel, jurisdiction: str) -> None:
    """Refuse (403) a charge recorded by anyone but the payer on their channel or a clerk."""
    kind = ctx.actor.kind
    if kind == ActorKind.CITIZEN and channel == Channel.ONLINE:
        return
    if kind == ActorKind.ANONYMOUS and channel == Channel.KIOSK and ctx.actor.name:
        return
    if kind == ActorKind.STAFF:
        ctx.require(PetitionsPermission.INTAKE, jurisdiction)
        return
    raise Forbidden("결제할 수 없는 경로입니다.", "Payments are not taken here.", field="channel")


def owns(actor: Actor, payment: Any) -> bool:
    """Whether ``payment`` is ``actor``'s own (what it pays for may be linked by them)."""
    return bool(payment.payer == payer(actor))


def may_refund(ctx: Context, payment: Any) -> bool:
    """The payer voiding a charge that pays for nothing yet, or a refund clerk of its office."""
    own_void = not payment.reference and owns(ctx.actor, payment)
    return own_void or ctx.allowed(PaymentsPermission.REFUND, payment.jurisdiction_id)


def refundable(actor: Actor) -> QuerySet[Payment]:
    """The payments a refund clerk sees on the 수수료 환불 screen: those of the offices where
    ``actor`` holds ``payments.refund`` (the filter is inside the query)."""
    qs = Payment.objects.select_related("jurisdiction")
    return base.restrict(qs, actor, PaymentsPermission.REFUND)


def may_open_refunds(actor: Actor) -> bool:
    """Whether the screen is the actor's at all: staff holding ``payments.refund`` somewhere."""
    return actor.kind == ActorKind.STAFF and bool(
        base.scope_paths(actor, PaymentsPermission.REFUND)
    )

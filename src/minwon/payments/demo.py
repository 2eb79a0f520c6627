"""Demo payments: two 대형폐기물 배출 신고 of a demo citizen in 원주시 paid by card through
the demo gateway — one waiting for its officer, one withdrawn before processing and
refunded — so the citizen pages and the 접수증 show what was paid from the first run."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from minwon.kernel import clock
from minwon.kernel.demo import DEMO_CITIES, DemoContext
from minwon.kernel.types import Actor, ActorKind, Channel, Command
from minwon.payments.commands import RecordPayment
from minwon.payments.providers import Card, provider
from minwon.petitions import receipts
from minwon.petitions.commands import ApplicationItem, SubmitApplication
from minwon.petitions.commands.workflow import WithdrawPetition
from minwon.petitions.models import PetitionType


def _build(cls: type[Command], **fields: Any) -> Callable[[uuid.UUID], Command]:
    return lambda cid: cls(command_id=cid, **fields)


def seed(ctx: DemoContext) -> None:
    from minwon.accounts.models import User

    citizen = User.objects.filter(username="citizen1").first()
    waste = PetitionType.objects.filter(code="LARGE_WASTE", active=True).first()
    if citizen is None or waste is None or not waste.fee:
        return
    who = Actor(ActorKind.CITIZEN, citizen.pk, citizen.username)
    office = DEMO_CITIES["wonju"]
    rng = ctx.rng("payments")
    expiry = f"12/{(clock.local(clock.now()).year + 3) % 100:02d}"
    for n, withdraw in ((1, False), (2, True)):
        order = ctx.command_id(f"payments:order:{n}").hex
        gateway = provider()
        approval = gateway.authorise(order_key=order, amount=waste.fee,
                                     card=Card.parse("4111 1111 1111 1111", expiry))  # fmt: skip
        ctx.run(f"payments:pay:{n}", _build(
            RecordPayment, actor=who, channel=Channel.ONLINE, jurisdiction=office,
            order_key=order, amount=waste.fee, provider=gateway.name,
            approval_number=approval.approval_number, card_brand=approval.brand,
            card_last4=approval.last4, description=waste.name,
        ))  # fmt: skip
        part = "".join(rng.choice(receipts.ALPHABET) for _ in range(8))
        key = f"payments:file:{n}"
        ctx.run(key, _build(
            SubmitApplication, actor=who, channel=Channel.ONLINE, jurisdiction=office,
            items=[ApplicationItem(type_code=waste.code, form={"items": 12, "content": "이사 짐 정리"})],
            receipt_random=part, payment_order=order,
        ))  # fmt: skip
        result: dict[str, Any] = ctx.result(key) or {}
        if withdraw and result.get("receipt_number"):
            ctx.run(f"payments:withdraw:{n}", _build(
                WithdrawPetition, actor=who, channel=Channel.ONLINE, jurisdiction=office,
                receipt_number=result["receipt_number"], reason="배출 일정 취소",
            ))  # fmt: skip
    ctx.say("payments: two paid 대형폐기물 배출 신고 (one withdrawn and refunded)")

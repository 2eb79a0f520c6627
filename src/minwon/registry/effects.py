"""What a household change will do to the linked registers, shown on the counter's
confirmation step before the clerk confirms (the move-in's "함께 변경된 내용", ahead of time).

The forecast reads the linked registers through their own policies, so it lists only rows
the clerk may read (each read access-logged, as on the person page); the command itself
changes every row its subscribers find, and the done page lists what they report
(``events.record_change``). The rules mirror the subscribers: vehicles and open tax bills
follow an address change, a permit run at the residence gets a notice, and a death or an
emigration leaves vehicles and bills to the heirs' or the owner's own report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django.utils.translation import gettext as _

from minwon.kernel.types import Actor

from .models import Person


@dataclasses.dataclass(frozen=True)
class Effect:
    """One linked-register row and what will happen to it."""

    register: str
    label: str
    outcome: str


def _rows(actor: Actor, person_ids: Iterable[int], purpose: str) -> tuple[list, list, list]:  # type: ignore[type-arg]
    from minwon.licensing import policies as licensing
    from minwon.tax import policies as tax
    from minwon.vehicles import policies as vehicles

    cars, bills, permits = [], [], []
    for pid in person_ids:
        cars += vehicles.vehicles_of(actor, pid, purpose=purpose)
        bills += [b for b in tax.bills_of(actor, pid, purpose=purpose) if b.paid_on is None]
        permits += [
            p
            for p in licensing.permits_of(actor, pid, purpose=purpose)
            if p.status in ("active", "suspended")
        ]
    return cars, bills, permits


def of_move(
    actor: Actor, person_ids: Iterable[int], new_address: str, *, purpose: str
) -> list[Effect]:
    """A change of address (전입, 세대 전체 전입, 합가·분가 to another address)."""
    cars, bills, permits = _rows(actor, person_ids, purpose)
    effects = [
        Effect(
            _("자동차"), f"{v.plate} {_('사용본거지')}", _("%(a)s(으)로 변경") % {"a": new_address}
        )
        for v in cars
    ]
    effects += [
        Effect(
            _("지방세"),
            f"{b.get_item_display()} {b.period} {_('송달 주소')}",
            _("%(a)s(으)로 변경") % {"a": new_address},
        )
        for b in bills
    ]
    effects += [
        Effect(
            _("인허가"),
            f"{p.business_name} ({p.get_kind_display()})",
            _("소재지 변경 신고 안내 (자동 변경되지 않음)"),
        )
        for p in permits
        if p.at_residence
    ]
    return effects


def of_status(actor: Actor, person: Person, status: str, *, purpose: str) -> list[Effect]:
    """A death (사망) or an emigration (국외이주)."""
    cars, bills, permits = _rows(actor, [person.pk], purpose)
    deceased = status == "deceased"
    effects = [
        Effect(
            _("자동차"),
            v.plate,
            _("자동 변경 없음: 상속 이전등록 또는 말소등록은 따로 신청합니다")
            if deceased
            else _("자동 변경 없음: 소유자가 이전·말소등록을 따로 신청합니다"),
        )
        for v in cars
    ]
    effects += [
        Effect(
            _("지방세"),
            f"{b.get_item_display()} {b.period}",
            _("자동 변경 없음: 납세의무는 상속인에게 승계됩니다")
            if deceased
            else _("자동 변경 없음: 미납 세액은 그대로 남습니다"),
        )
        for b in bills
    ]
    effects += [
        Effect(
            _("인허가"),
            f"{p.business_name} ({p.get_kind_display()})",
            _("상속인의 지위 승계 신고 안내") if deceased else _("영업 계속 여부 확인 안내"),
        )
        for p in permits
    ]
    return effects

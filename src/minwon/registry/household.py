"""Household changes at the counter: 세대 전체 전입 (the whole household moves), 세대 합가
(one household joins another) and 세대 분리·분가 (members leave to form a household of their
own), besides ``ChangeHouseholdHead`` in ``registry.commands``.

Each goes through ``movein.place`` like a move-in, so the one-household rule, the closing of
old memberships and residences and the 14-day deadline hold the same way. Whenever the
people's address changes, the command emits ``MoveInReported``: the linked registers
(vehicles, tax, licensing) and the citizen's one summary message follow it exactly as they
follow a 전입신고. ``HouseholdsMerged`` and ``HouseholdSplit`` say what happened to the
households themselves (the portal's search re-indexes both).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command, Continuity, RoomCategory

from . import rules
from .events import HouseholdsMerged, HouseholdSplit, MoveInReported, changes_of
from .models import Household, HouseholdMember, Relationship, ResidenceReason
from .movein import (
    Destination,
    Mover,
    _check_movers,
    _lock_persons,
    authorize_destination,
    business_date,
    complete_move_in,
    place,
    resolve_destination,
)
from .permissions import RegistryPermission


def _open_household(household_id: int, *, field: str = "household_id") -> Household:
    household = Household.objects.select_for_update().filter(pk=household_id).first()
    if household is None or household.dissolved_on is not None:
        raise NotFound("세대를 찾을 수 없습니다.", "Household not found.", field=field)
    return household


def _current_members(household: Household) -> list[HouseholdMember]:
    """Open memberships, head first (the order ``place`` needs for a new household)."""
    members = list(
        HouseholdMember.objects.select_for_update()
        .filter(household=household, left_on__isnull=True)
        .order_by("id")
    )
    return sorted(members, key=lambda m: m.person_id != household.head_id)


@dataclasses.dataclass(frozen=True, kw_only=True)
class MoveHousehold(Command):
    """세대 전체 전입: every current member of ``household_id`` moves to a new address on
    ``moved_in_on`` as one household, the head staying head and every member keeping their
    relationship. The destination office registers it, as any 전입신고."""

    permission = RegistryPermission.MOVE_IN
    continuity = Continuity.LOCAL
    room_category = RoomCategory.MOVES_IN

    household_id: int
    road_address: str
    address_detail: str = ""
    address_code: str
    moved_in_on: date


@handler(MoveHousehold)
def move_household(cmd: MoveHousehold, *, ctx: Context) -> dict[str, Any]:
    reported_on = business_date(ctx)
    rules.not_in_future(cmd.moved_in_on, reported_on, field="moved_in_on")
    dest = resolve_destination(
        household_id=None,
        road_address=cmd.road_address,
        address_detail=cmd.address_detail,
        address_code=cmd.address_code,
    )
    authorize_destination(ctx, dest.unit, RegistryPermission.MOVE_IN)
    household = _open_household(cmd.household_id)
    members = _current_members(household)
    if not members or household.head_id != members[0].person_id:
        raise Conflict(
            "세대주가 없는 세대는 함께 전입할 수 없습니다. 세대주를 먼저 정하세요.",
            "The household has no current head: change its head first.",
            field="household_id",
        )
    movers = [
        Mover(person_id=m.person_id, relationship=Relationship.HEAD if n == 0 else m.relationship)
        for n, m in enumerate(members)
    ]
    locked = _lock_persons([m.person_id for m in movers])
    result = complete_move_in(
        ctx,
        persons=[locked[m.person_id] for m in movers],
        movers=movers,
        dest=dest,
        moved_in_on=cmd.moved_in_on,
        reported_on=reported_on,
    )
    result["former_household_id"] = household.pk
    return result


@dataclasses.dataclass(frozen=True, kw_only=True)
class MergeHouseholds(Command):
    """세대 합가: every current member of ``absorbed_household_id`` joins ``household_id``
    on ``moved_in_on`` with the relationship to its head given in ``members`` (one entry
    per member, none of them 세대주); the absorbed household ends. When the two addresses
    differ this is also their 전입 to the joined household's address."""

    permission = RegistryPermission.HOUSEHOLD
    continuity = Continuity.LOCAL
    room_category = None

    household_id: int
    absorbed_household_id: int
    members: list[Mover]
    moved_in_on: date


@handler(MergeHouseholds)
def merge_households(cmd: MergeHouseholds, *, ctx: Context) -> dict[str, Any]:
    reported_on = business_date(ctx)
    rules.not_in_future(cmd.moved_in_on, reported_on, field="moved_in_on")
    if cmd.household_id == cmd.absorbed_household_id:
        raise ValidationFailed(
            "같은 세대끼리는 합가할 수 없습니다.",
            "A household cannot merge with itself.",
            field="absorbed_household_id",
        )
    ids = _check_movers(list(cmd.members))
    target = _open_household(cmd.household_id)
    ctx.require(RegistryPermission.HOUSEHOLD, target.jurisdiction_id)
    absorbed = _open_household(cmd.absorbed_household_id, field="absorbed_household_id")
    ctx.require(RegistryPermission.HOUSEHOLD, absorbed.jurisdiction_id)
    current = {m.person_id for m in _current_members(absorbed)}
    if set(ids) != current:
        raise ValidationFailed(
            "합가하는 세대의 세대원 모두에 대해 새 세대주와의 관계를 정해야 합니다.",
            "Give every current member of the joining household a relationship.",
            field="members",
        )
    _no_second_head(cmd.members)
    locked = _lock_persons(ids)
    moved = target.full_address != absorbed.full_address
    dest = Destination(target, target.road_address, target.address_detail, target.jurisdiction)
    household, late = place(
        ctx,
        persons=[locked[i] for i in ids],
        movers=list(cmd.members),
        dest=dest,
        moved_in_on=cmd.moved_in_on,
        reported_on=reported_on,
        reason=ResidenceReason.MOVE_IN if moved else ResidenceReason.MERGE,
    )
    if moved:
        _emit_move(ctx, household, ids, cmd.moved_in_on, reported_on, late)
    ctx.emit(
        HouseholdsMerged(
            household_id=household.pk, absorbed_household_id=absorbed.pk, person_ids=ids
        )
    )
    return {
        "household_id": household.pk,
        "absorbed_household_id": absorbed.pk,
        "person_ids": ids,
        "address_changed": moved,
        "late_days": late,
        "changes": changes_of(ctx),
    }


def _no_second_head(movers: list[Mover]) -> None:
    for n, mover in enumerate(movers):
        if mover.relationship == Relationship.HEAD:
            raise ValidationFailed(
                "세대주는 한 세대에 한 명입니다.",
                "A household has one head.",
                field=f"members.{n}.relationship",
            )


@dataclasses.dataclass(frozen=True, kw_only=True)
class SplitHousehold(Command):
    """세대 분리·분가: ``members`` (the first becomes head, the others name their relationship
    to them) leave ``household_id`` on ``moved_in_on`` and form a household of their own, at
    the same address (세대 분리; ``address_code`` empty) or at a new one (분가 전입, which the
    new address's office registers). The remaining household keeps its head."""

    permission = RegistryPermission.HOUSEHOLD
    continuity = Continuity.LOCAL
    room_category = None

    household_id: int
    members: list[Mover]
    road_address: str = ""
    address_detail: str = ""
    address_code: str = ""
    moved_in_on: date


@handler(SplitHousehold)
def split_household(cmd: SplitHousehold, *, ctx: Context) -> dict[str, Any]:
    reported_on = business_date(ctx)
    rules.not_in_future(cmd.moved_in_on, reported_on, field="moved_in_on")
    ids = _check_movers(list(cmd.members))
    household = _open_household(cmd.household_id)
    ctx.require(RegistryPermission.HOUSEHOLD, household.jurisdiction_id)
    current = {m.person_id for m in _current_members(household)}
    for n, pid in enumerate(ids):
        if pid not in current:
            raise ValidationFailed(
                "분리할 사람은 이 세대의 현재 세대원이어야 합니다.",
                "Only current members of the household can split from it.",
                field=f"members.{n}.person_id",
            )
    if household.head_id in ids:
        raise ValidationFailed(
            "세대주는 분리할 수 없습니다. 남는 세대의 세대주를 먼저 변경하세요.",
            "The head cannot split off: change the remaining household's head first.",
            field="members",
        )
    moved = bool(cmd.address_code.strip())
    if moved:
        dest = resolve_destination(
            household_id=None,
            road_address=cmd.road_address,
            address_detail=cmd.address_detail,
            address_code=cmd.address_code,
        )
        authorize_destination(ctx, dest.unit, RegistryPermission.MOVE_IN)
    else:
        dest = Destination(
            None,
            household.road_address,
            rules.address_detail(cmd.address_detail) or household.address_detail,
            household.jurisdiction,
        )
    locked = _lock_persons(ids)
    new, late = place(
        ctx,
        persons=[locked[i] for i in ids],
        movers=list(cmd.members),
        dest=dest,
        moved_in_on=cmd.moved_in_on,
        reported_on=reported_on,
        reason=ResidenceReason.MOVE_IN if moved else ResidenceReason.SPLIT,
    )
    if new.full_address != household.full_address:
        _emit_move(ctx, new, ids, cmd.moved_in_on, reported_on, late)
    ctx.emit(HouseholdSplit(household_id=household.pk, new_household_id=new.pk, person_ids=ids))
    return {
        "household_id": household.pk,
        "new_household_id": new.pk,
        "person_ids": ids,
        "address_changed": new.full_address != household.full_address,
        "late_days": late,
        "changes": changes_of(ctx),
    }


def _emit_move(
    ctx: Context, household: Household, ids: list[int], moved_in_on: date, reported_on: date,
    late: int,
) -> None:  # fmt: skip
    """The people's address changed: the linked registers follow as for a 전입신고."""
    ctx.emit(
        MoveInReported(
            person_ids=ids,
            household_id=household.pk,
            road_address=household.road_address,
            address_detail=household.address_detail,
            address_code=household.jurisdiction_id,
            moved_in_on=moved_in_on,
            reported_on=reported_on,
            late_days=late,
        )
    )

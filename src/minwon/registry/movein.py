"""전입신고 (move-in report): the command, the head's confirmation for online reports, and
the placement logic shared with new registrations.

Cross-jurisdiction rule: **the destination office registers a move-in.** The report is
made to (and authorised by) the 읍·면·동 of the new address, wherever the person lived
before; leaving the old household happens as part of the same report (there is no separate
전출신고, as in Korean law since 1997). So a 원주시 clerk may register someone moving from
공주시 into 원주시, but not a move into 공주시: that is 공주시's office's act (403).

A report at the counter takes effect at once (the clerk has the head's consent in person).
A citizen's online report into a household headed by someone else waits in
``PendingMoveIn`` until that head confirms it (``ConfirmMoveIn``); a new household or the
citizen's own household takes effect at once.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from minwon.kernel import clock
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from minwon.kernel.models import Jurisdiction
from minwon.kernel.registry import handler
from minwon.kernel.types import ActorKind, Command, Continuity, RoomCategory

from . import rules
from .events import MoveInAwaitingHead, MoveInRefused, MoveInReported, changes_of
from .models import (
    Household,
    HouseholdMember,
    PendingMoveIn,
    Person,
    PersonStatus,
    Relationship,
    Residence,
    ResidenceReason,
)


@dataclasses.dataclass(frozen=True)
class Mover:
    """One person in a move-in report and their relationship to the destination's head."""

    person_id: int
    relationship: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReportMoveIn(Command):
    """전입신고: ``movers`` move to an address, into a new household (``household_id`` empty;
    the first mover becomes its head) or an existing one. ``moved_in_on`` is the effective
    date; the report date is the command's business time."""

    room_category = RoomCategory.MOVES_IN

    continuity = Continuity.LOCAL

    movers: list[Mover]
    household_id: int | None = None
    road_address: str = ""
    address_detail: str = ""
    address_code: str = ""
    moved_in_on: date


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConfirmMoveIn(Command):
    """The head of the destination household confirms (or refuses) an online move-in."""

    continuity = Continuity.LOCAL

    pending_id: int
    accept: bool = True


def business_date(ctx: Context) -> date:
    return clock.local(ctx.occurred_at).date()


def citizen_index(ctx: Context) -> str:
    """The acting citizen's RRN blind index ('' for anyone else)."""
    from minwon.accounts.models import User

    if ctx.actor.kind != ActorKind.CITIZEN or ctx.actor.id is None:
        return ""
    value = User.objects.filter(pk=ctx.actor.id).values_list("identity_index", flat=True).first()
    return value or ""


def _check_movers(movers: list[Mover]) -> list[int]:
    if not movers:
        raise ValidationFailed(
            "전입할 사람을 한 명 이상 지정하세요.", "Name at least one mover.", field="movers"
        )
    ids = [m.person_id for m in movers]
    if len(set(ids)) != len(ids):
        raise ValidationFailed(
            "같은 사람이 두 번 들어 있습니다.", "A person is listed twice.", field="movers"
        )
    for n, mover in enumerate(movers):
        rules.relationship(mover.relationship, field=f"movers.{n}.relationship")
    return ids


def _lock_persons(ids: list[int]) -> dict[int, Person]:
    persons = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=ids)}
    for n, pid in enumerate(ids):
        person = persons.get(pid)
        if person is None:
            raise NotFound(
                f"{n + 1}번째 전입자를 찾을 수 없습니다.",
                f"Mover {n + 1} was not found.",
                field=f"movers.{n}.person_id",
            )
        if person.status != PersonStatus.ACTIVE:
            raise Conflict(
                f"{person.name}님은 {person.get_status_display()} 상태라 전입할 수 없습니다.",
                f"Person {pid} is {person.status}; only active residents move in.",
                field=f"movers.{n}.person_id",
            )
    return persons


@dataclasses.dataclass
class Destination:
    household: Household | None
    road_address: str
    address_detail: str
    unit: Jurisdiction


def resolve_destination(
    *, household_id: int | None, road_address: str, address_detail: str, address_code: str
) -> Destination:
    """The household joined, or the address of a new one (validated)."""
    if household_id is not None:
        household = Household.objects.select_for_update().filter(pk=household_id).first()
        if household is None or household.dissolved_on is not None:
            raise NotFound(
                "전입할 세대를 찾을 수 없습니다.", "Household not found.", field="household_id"
            )
        return Destination(
            household, household.road_address, household.address_detail, household.jurisdiction
        )
    unit = rules.destination(address_code)
    return Destination(
        None, rules.road_address(road_address), rules.address_detail(address_detail), unit
    )


def authorize_destination(ctx: Context, unit: Jurisdiction, permission: str) -> None:
    """Staff and agencies need ``permission`` over the destination (its office registers
    the move-in); citizens are checked by the handler against their own household."""
    if ctx.actor.kind != ActorKind.CITIZEN:
        ctx.require(permission, unit.code)


def place(
    ctx: Context,
    *,
    persons: list[Person],
    movers: list[Mover],
    dest: Destination,
    moved_in_on: date,
    reported_on: date,
    reason: str,
) -> tuple[Household, int]:
    """Move ``persons`` into ``dest``: close their open memberships and residences, dissolve
    emptied households, refuse to strand a household without its head, open the new
    membership and residence. Returns the household and the days the report is late."""
    ids = [p.pk for p in persons]
    open_members = list(
        HouseholdMember.objects.select_for_update()
        .filter(person_id__in=ids, left_on__isnull=True)
        .select_related("household")
    )
    for member in open_members:
        if dest.household is not None and member.household_id == dest.household.pk:
            raise Conflict(
                "이미 이 세대의 세대원입니다.",
                f"Person {member.person_id} already belongs to this household.",
                field="household_id",
            )
        if member.joined_on > moved_in_on:
            raise ValidationFailed(
                "전입일이 현재 주소의 전입일보다 앞설 수 없습니다.",
                "The move-in date is before the current address's move-in date.",
                field="moved_in_on",
            )
    for old in {m.household for m in open_members}:
        remaining = (
            HouseholdMember.objects.filter(household=old, left_on__isnull=True)
            .exclude(person_id__in=ids)
            .exists()
        )
        if remaining and old.head_id in ids:
            raise Conflict(
                "세대주가 전출하면 남는 세대원의 세대주를 먼저 변경해야 합니다.",
                "The head leaves a household with other members: change its head first.",
                field="movers",
                code="head_leaves_members",
            )
        if not remaining:
            Household.objects.filter(pk=old.pk).update(dissolved_on=moved_in_on)
    HouseholdMember.objects.filter(pk__in=[m.pk for m in open_members]).update(left_on=moved_in_on)
    Residence.objects.filter(person_id__in=ids, moved_out_on__isnull=True).update(
        moved_out_on=moved_in_on
    )
    household = dest.household
    if household is None:
        if movers[0].relationship != Relationship.HEAD:
            raise ValidationFailed(
                "새 세대는 첫 번째 전입자가 세대주여야 합니다.",
                "A new household's first mover must be its head.",
                field="movers.0.relationship",
            )
        household = Household.objects.create(
            head=persons[0],
            road_address=dest.road_address,
            address_detail=dest.address_detail,
            jurisdiction=dest.unit,
            formed_on=moved_in_on,
        )
    for n, mover in enumerate(movers):
        is_new_head = dest.household is None and n == 0
        if mover.relationship == Relationship.HEAD and not is_new_head:
            raise ValidationFailed(
                "세대주는 한 세대에 한 명입니다.",
                "A household has one head.",
                field=f"movers.{n}.relationship",
            )
    late = rules.late_days(moved_in_on, reported_on)
    HouseholdMember.objects.bulk_create(
        [
            HouseholdMember(
                household=household,
                person=p,
                relationship=m.relationship,
                joined_on=moved_in_on,
            )
            for p, m in zip(persons, movers, strict=True)
        ]
    )
    Residence.objects.bulk_create(
        [
            Residence(
                person=p,
                household=household,
                road_address=household.road_address,
                address_detail=household.address_detail,
                jurisdiction=dest.unit,
                moved_in_on=moved_in_on,
                reported_on=reported_on,
                reason=reason,
                late_days=late,
                command_id=ctx.command.command_id,
            )
            for p in persons
        ]
    )
    Person.objects.filter(pk__in=ids).update(jurisdiction=dest.unit)
    return household, late


def _check_citizen_movers(ctx: Context, ids: list[int]) -> str:
    """A citizen reports for themself and members of their own current household. Checked
    before the movers are looked up, so a refusal cannot tell which ids exist."""
    index = citizen_index(ctx)
    me = Person.objects.filter(rrn_index=index).first() if index else None
    if me is None:
        raise Forbidden(
            "주민등록이 확인된 본인만 온라인으로 전입신고할 수 있습니다.",
            "Only a registered resident can report a move-in online.",
            field="movers",
            code="permission_denied",
        )
    my_household = (
        HouseholdMember.objects.filter(person=me, left_on__isnull=True)
        .values_list("household_id", flat=True)
        .first()
    )
    family: set[int] = set()
    if my_household is not None:
        family = set(
            HouseholdMember.objects.filter(
                household_id=my_household, left_on__isnull=True
            ).values_list("person_id", flat=True)
        )
    for n, pid in enumerate(ids):
        if pid != me.pk and pid not in family:
            raise Forbidden(
                "본인 또는 같은 세대원만 신고할 수 있습니다.",
                "You may report only yourself and members of your household.",
                field=f"movers.{n}.person_id",
                code="permission_denied",
            )
    return index


def complete_move_in(
    ctx: Context,
    *,
    persons: list[Person],
    movers: list[Mover],
    dest: Destination,
    moved_in_on: date,
    reported_on: date,
) -> dict[str, Any]:
    """Place the movers, emit ``MoveInReported`` (its subscribers update the linked
    registers in this transaction; the notices subscriber sends the one summary message)."""
    household, late = place(
        ctx,
        persons=persons,
        movers=movers,
        dest=dest,
        moved_in_on=moved_in_on,
        reported_on=reported_on,
        reason=ResidenceReason.MOVE_IN,
    )
    event = MoveInReported(
        person_ids=[p.pk for p in persons],
        household_id=household.pk,
        road_address=household.road_address,
        address_detail=household.address_detail,
        address_code=dest.unit.code,
        moved_in_on=moved_in_on,
        reported_on=reported_on,
        late_days=late,
    )
    ctx.emit(event)
    changes = changes_of(ctx)
    return {
        "state": "completed",
        "household_id": household.pk,
        "person_ids": [p.pk for p in persons],
        "moved_in_on": moved_in_on.isoformat(),
        "reported_on": reported_on.isoformat(),
        "late": late > 0,
        "late_days": late,
        "changes": changes,
    }


@handler(ReportMoveIn)
def report_move_in(cmd: ReportMoveIn, *, ctx: Context) -> dict[str, Any]:
    reported_on = business_date(ctx)
    rules.not_in_future(cmd.moved_in_on, reported_on, field="moved_in_on")
    ids = _check_movers(cmd.movers)
    dest = resolve_destination(
        household_id=cmd.household_id,
        road_address=cmd.road_address,
        address_detail=cmd.address_detail,
        address_code=cmd.address_code,
    )
    authorize_destination(ctx, dest.unit, "registry.move_in")
    index = _check_citizen_movers(ctx, ids) if ctx.actor.kind == ActorKind.CITIZEN else ""
    locked = _lock_persons(ids)
    persons = [locked[i] for i in ids]
    if ctx.actor.kind == ActorKind.CITIZEN:
        head = dest.household.head if dest.household is not None else None
        if head is not None and head.rrn_index != index:
            return _await_head(ctx, cmd, dest.household, index, reported_on)  # type: ignore[arg-type]
    return complete_move_in(
        ctx,
        persons=persons,
        movers=list(cmd.movers),
        dest=dest,
        moved_in_on=cmd.moved_in_on,
        reported_on=reported_on,
    )


def _await_head(
    ctx: Context, cmd: ReportMoveIn, household: Household, index: str, reported_on: date
) -> dict[str, Any]:
    for n, mover in enumerate(cmd.movers):
        if mover.relationship == Relationship.HEAD:
            raise ValidationFailed(
                "세대주는 한 세대에 한 명입니다.",
                "A household has one head.",
                field=f"movers.{n}.relationship",
            )
    pending = PendingMoveIn.objects.create(
        household=household,
        movers=[dataclasses.asdict(m) for m in cmd.movers],
        moved_in_on=cmd.moved_in_on,
        reported_on=reported_on,
        reporter_index=index,
        requested_by=ctx.command.command_id,
        requested_at=ctx.recorded_at,
    )
    ctx.emit(MoveInAwaitingHead(pending_id=pending.pk, household_id=household.pk))
    return {"state": "awaiting_head", "pending_id": pending.pk, "household_id": household.pk}


@handler(ConfirmMoveIn)
def confirm_move_in(cmd: ConfirmMoveIn, *, ctx: Context) -> dict[str, Any]:
    pending = PendingMoveIn.objects.select_for_update().filter(pk=cmd.pending_id).first()
    if pending is None:
        raise NotFound(
            "확인할 전입신고가 없습니다.", "No such pending move-in.", field="pending_id"
        )
    household = Household.objects.select_for_update().get(pk=pending.household_id)
    head = household.head
    if ctx.actor.kind == ActorKind.CITIZEN:
        if head is None or citizen_index(ctx) != head.rrn_index:
            raise Forbidden(
                "세대주만 전입을 확인할 수 있습니다.",
                "Only the head of the household can confirm.",
                field="pending_id",
                code="permission_denied",
            )
    else:
        ctx.require("registry.move_in", household.jurisdiction_id)
    if pending.state != PendingMoveIn.State.PENDING:
        raise Conflict(
            "이미 처리된 요청입니다.", "This request was already decided.", field="pending_id"
        )
    pending.state = PendingMoveIn.State.CONFIRMED if cmd.accept else PendingMoveIn.State.REFUSED
    pending.decided_at = ctx.recorded_at
    pending.save(update_fields=["state", "decided_at"])
    if not cmd.accept:
        ctx.emit(MoveInRefused(pending_id=pending.pk, household_id=household.pk))
        return {"state": "refused", "pending_id": pending.pk}
    movers = [Mover(**m) for m in pending.movers]
    ids = [m.person_id for m in movers]
    locked = _lock_persons(ids)
    dest = Destination(
        household, household.road_address, household.address_detail, household.jurisdiction
    )
    result = complete_move_in(
        ctx,
        persons=[locked[i] for i in ids],
        movers=movers,
        dest=dest,
        moved_in_on=pending.moved_in_on,
        reported_on=pending.reported_on,
    )
    result["pending_id"] = pending.pk
    return result

"""Registry commands: register a resident, change a household's head, record a death or
an emigration, and import residents in bulk. The move-in (전입신고) lives in
``registry.movein``, the whole-household move, 합가 and 분가 in ``registry.household``;
both are re-exported here.

Every handler is the only code that writes the registry's tables, and every change of
address goes through ``movein.place`` so the one-household rule and the residence history
hold whichever command moves a person.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.rrn import SealedRRN
from minwon.kernel.types import ActorKind, Command, Continuity

from . import rules, snapshot  # noqa: F401 - snapshot: its subscribers register on import
from .bulk import LoadResidents
from .events import HouseholdHeadChanged, PersonRegistered, PersonStatusChanged, changes_of
from .household import MergeHouseholds, MoveHousehold, SplitHousehold
from .importer import ImportResidents, ResidentRow, import_residents
from .models import Household, HouseholdMember, Person, PersonStatus, Relationship, Residence
from .movein import (
    ConfirmMoveIn,
    Mover,
    ReportMoveIn,
    authorize_destination,
    business_date,
    place,
    resolve_destination,
)
from .permissions import RegistryPermission


@dataclasses.dataclass(frozen=True, kw_only=True)
class RegisterPerson(Command):
    """A new resident enters the register (최초 등록, 출생신고, 국적 취득 …) at an address,
    heading a new household or joining ``household_id`` with ``relationship``."""

    continuity = Continuity.LOCAL

    name: str
    sealed_rrn: SealedRRN
    nationality: str = "KR"
    household_id: int | None = None
    relationship: str = Relationship.HEAD
    road_address: str = ""
    address_detail: str = ""
    address_code: str = ""
    moved_in_on: date
    reason: str = "registration"


@handler(RegisterPerson)
def register_person(cmd: RegisterPerson, *, ctx: Context) -> dict[str, Any]:
    today = business_date(ctx)
    name = rules.person_name(cmd.name)
    rules.not_in_future(cmd.moved_in_on, today, field="moved_in_on")
    rules.relationship(cmd.relationship)
    if cmd.reason not in ("registration", "birth"):
        raise ValidationFailed("등록 사유가 올바르지 않습니다.", "Unknown reason.", field="reason")
    nationality = (cmd.nationality or "").strip().upper()
    if len(nationality) != 2 or not nationality.isalpha():
        raise ValidationFailed(
            "국적은 두 글자 국가 코드(KR 등)로 입력하세요.",
            "Nationality must be a 2-letter country code.",
            field="nationality",
        )
    dest = resolve_destination(
        household_id=cmd.household_id,
        road_address=cmd.road_address,
        address_detail=cmd.address_detail,
        address_code=cmd.address_code,
    )
    if ctx.actor.kind == ActorKind.CITIZEN:
        raise Forbidden(
            "신규 주민등록은 창구에서 합니다.",
            "New registrations are made at a counter.",
            code="permission_denied",
        )
    authorize_destination(ctx, dest.unit, "registry.register")
    number = cmd.sealed_rrn.open()
    if Person.objects.filter(rrn_index=cmd.sealed_rrn.index).exists():
        raise Conflict(
            "이미 주민등록된 주민등록번호입니다.",
            "This resident registration number is already registered.",
            field="rrn",
        )
    if number.birth_date > cmd.moved_in_on:
        raise ValidationFailed(
            "전입일이 생년월일보다 앞섭니다.",
            "The move-in date is before the birth date.",
            field="moved_in_on",
        )
    person = Person.objects.create(
        name=name,
        rrn_ciphertext=cmd.sealed_rrn.blob(),
        rrn_index=cmd.sealed_rrn.index,
        birth_date=number.birth_date,
        sex=number.sex,
        nationality=nationality,
        jurisdiction=dest.unit,
        registered_at=ctx.recorded_at,
    )
    relationship = Relationship.HEAD if dest.household is None else cmd.relationship
    household, late = place(
        ctx,
        persons=[person],
        movers=[Mover(person_id=person.pk, relationship=relationship)],
        dest=dest,
        moved_in_on=cmd.moved_in_on,
        reported_on=today,
        reason=cmd.reason,
    )
    ctx.emit(
        PersonRegistered(
            person_id=person.pk, household_id=household.pk, address_code=dest.unit.code
        )
    )
    return {
        "person_id": person.pk,
        "household_id": household.pk,
        "late": late > 0,
        "late_days": late,
        "warnings": number.warnings,
    }


@dataclasses.dataclass(frozen=True, kw_only=True)
class ChangeHouseholdHead(Command):
    """세대주 변경: another member becomes head; the former head stays as a member with
    ``former_head_relationship`` to the new head (unless they have left). Addresses do not
    change, so the linked registers keep theirs (vehicles, tax bills and permits are each
    person's own); the portal re-indexes the household."""

    permission = RegistryPermission.HOUSEHOLD
    continuity = Continuity.LOCAL
    room_category = None

    household_id: int
    new_head_id: int
    former_head_relationship: str = Relationship.RELATIVE


@handler(ChangeHouseholdHead)
def change_household_head(cmd: ChangeHouseholdHead, *, ctx: Context) -> dict[str, Any]:
    household = Household.objects.select_for_update().filter(pk=cmd.household_id).first()
    if household is None or household.dissolved_on is not None:
        raise NotFound("세대를 찾을 수 없습니다.", "Household not found.", field="household_id")
    ctx.require("registry.household", household.jurisdiction_id)
    rules.relationship(cmd.former_head_relationship, field="former_head_relationship")
    if cmd.former_head_relationship == Relationship.HEAD:
        raise ValidationFailed(
            "전 세대주의 관계를 세대주로 둘 수 없습니다.",
            "The former head cannot stay head.",
            field="former_head_relationship",
        )
    former = household.head_id
    _make_head(household, cmd.new_head_id, cmd.former_head_relationship)
    ctx.emit(
        HouseholdHeadChanged(
            household_id=household.pk, head_person_id=cmd.new_head_id, former_head_id=former
        )
    )
    return {
        "household_id": household.pk,
        "head_person_id": cmd.new_head_id,
        "former_head_id": former,
    }


def _make_head(household: Household, new_head_id: int, former_relationship: str) -> None:
    members = {
        m.person_id: m
        for m in HouseholdMember.objects.select_for_update().filter(
            household=household, left_on__isnull=True
        )
    }
    new = members.get(new_head_id)
    if new is None:
        raise ValidationFailed(
            "새 세대주는 이 세대의 현재 세대원이어야 합니다.",
            "The new head must be a current member of the household.",
            field="new_head_id",
        )
    if household.head_id == new_head_id:
        raise Conflict("이미 세대주입니다.", "Already the head.", field="new_head_id")
    old = members.get(household.head_id) if household.head_id else None
    if old is not None:
        old.relationship = former_relationship
        old.save(update_fields=["relationship"])
    new.relationship = Relationship.HEAD
    new.save(update_fields=["relationship"])
    household.head_id = new_head_id
    household.save(update_fields=["head"])


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecordDeath(Command):
    """사망신고 recorded in the register: the person leaves their household. If they were its
    head and others remain, ``new_head_id`` names the successor."""

    permission = RegistryPermission.STATUS
    continuity = Continuity.LOCAL
    room_category = None

    person_id: int
    effective_on: date
    new_head_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecordEmigration(Command):
    """국외이주신고: the person leaves the register's active residents (and their household,
    as for a death)."""

    permission = RegistryPermission.STATUS
    continuity = Continuity.LOCAL
    room_category = None

    person_id: int
    effective_on: date
    new_head_id: int | None = None


def _end_residence(
    cmd: RecordDeath | RecordEmigration, ctx: Context, status: str
) -> dict[str, Any]:
    rules.not_in_future(cmd.effective_on, business_date(ctx), field="effective_on")
    person = Person.objects.select_for_update().filter(pk=cmd.person_id).first()
    if person is None:
        raise NotFound("주민을 찾을 수 없습니다.", "Person not found.", field="person_id")
    ctx.require("registry.status", person.jurisdiction_id)
    if person.status != PersonStatus.ACTIVE:
        raise Conflict(
            f"이미 {person.get_status_display()} 상태입니다.",
            f"The person is already {person.status}.",
            field="person_id",
        )
    member = (
        HouseholdMember.objects.select_for_update()
        .filter(person=person, left_on__isnull=True)
        .select_related("household")
        .first()
    )
    if member is not None:
        if member.joined_on > cmd.effective_on:
            raise ValidationFailed(
                "변동일이 현재 주소의 전입일보다 앞설 수 없습니다.",
                "The date is before the current address's move-in date.",
                field="effective_on",
            )
        household = member.household
        others = HouseholdMember.objects.filter(household=household, left_on__isnull=True).exclude(
            pk=member.pk
        )
        if household.head_id == person.pk and others.exists():
            if cmd.new_head_id is None:
                raise ValidationFailed(
                    "세대주가 빠지면 남는 세대원 중 새 세대주를 지정해야 합니다.",
                    "The head leaves: name the new head among the remaining members.",
                    field="new_head_id",
                )
            _make_head(household, cmd.new_head_id, Relationship.RELATIVE)
        elif not others.exists():
            Household.objects.filter(pk=household.pk).update(dissolved_on=cmd.effective_on)
        HouseholdMember.objects.filter(pk=member.pk).update(left_on=cmd.effective_on)
    Residence.objects.filter(person=person, moved_out_on__isnull=True).update(
        moved_out_on=cmd.effective_on
    )
    person.status = status
    person.status_on = cmd.effective_on
    person.save(update_fields=["status", "status_on"])
    ctx.emit(PersonStatusChanged(person_id=person.pk, status=status, effective_on=cmd.effective_on))
    return {
        "person_id": person.pk,
        "status": status,
        "effective_on": cmd.effective_on.isoformat(),
        "changes": changes_of(ctx),
    }


@handler(RecordDeath)
def record_death(cmd: RecordDeath, *, ctx: Context) -> dict[str, Any]:
    return _end_residence(cmd, ctx, PersonStatus.DECEASED)


@handler(RecordEmigration)
def record_emigration(cmd: RecordEmigration, *, ctx: Context) -> dict[str, Any]:
    return _end_residence(cmd, ctx, PersonStatus.EMIGRATED)


__all__ = [
    "ChangeHouseholdHead",
    "ConfirmMoveIn",
    "ImportResidents",
    "LoadResidents",
    "MergeHouseholds",
    "MoveHousehold",
    "Mover",
    "RecordDeath",
    "RecordEmigration",
    "RegisterPerson",
    "ReportMoveIn",
    "ResidentRow",
    "SplitHousehold",
    "import_residents",
]

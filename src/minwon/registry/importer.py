"""The bulk path: ``ImportResidents`` registers a batch of households (about a thousand
persons per command) through ``execute``, so audit, idempotency and RRN encryption hold
exactly as for a single registration, while the rows go in with ``bulk_create``.

It is what ``minwon demo --residents 1000000`` and a data migration from another system
use; only the system and administrators hold ``registry.import``.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, ValidationFailed
from minwon.kernel.models import Jurisdiction
from minwon.kernel.registry import handler
from minwon.kernel.rrn import SealedRRN
from minwon.kernel.types import Command
from minwon.registry.permissions import RegistryPermission

from . import rules
from .events import ResidentsImported
from .models import Household, HouseholdMember, Person, Relationship, Residence, ResidenceReason

MAX_PERSONS = 5000


@dataclasses.dataclass(frozen=True)
class ResidentRow:
    """One member of an imported household; the first of each household is its head."""

    name: str
    sealed_rrn: SealedRRN
    relationship: str


@dataclasses.dataclass(frozen=True)
class HouseholdRow:
    road_address: str
    address_code: str
    moved_in_on: date
    members: list[ResidentRow]
    address_detail: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImportResidents(Command):
    """Register a batch of new households at once (bulk 최초 등록)."""

    permission = RegistryPermission.IMPORT
    households: list[HouseholdRow]


Checked = tuple[dict[str, Jurisdiction], list[list[tuple[ResidentRow, Any]]]]


def check(households: list[HouseholdRow], ctx: Context) -> Checked:
    """Validate a batch (offices, addresses, names, one head first, numbers new and not
    repeated) and open the sealed numbers: ``(unit of each address code, [[(member,
    RRN)]] per household)``. Shared by ``ImportResidents`` and the set-based
    ``registry.bulk.LoadResidents``."""
    total = sum(len(h.members) for h in households)
    if not households or total > MAX_PERSONS:
        raise ValidationFailed(
            f"한 번에 1~{MAX_PERSONS}명까지 등록할 수 있습니다.",
            f"Import 1-{MAX_PERSONS} persons per command.",
            field="households",
        )
    known = Jurisdiction.objects.in_bulk({h.address_code for h in households})
    units: dict[str, Jurisdiction] = {}
    indexes: set[str] = set()
    parsed: list[list[tuple[ResidentRow, Any]]] = []
    for h, row in enumerate(households):
        if row.address_code not in units:
            unit = known.get(row.address_code)
            if unit is None or unit.level != Jurisdiction.Level.EUPMYEONDONG or not unit.in_force:
                unit = rules.destination(row.address_code, field=f"households.{h}.address_code")
            units[row.address_code] = unit
            ctx.require("registry.import", row.address_code)
        rules.road_address(row.road_address, field=f"households.{h}.road_address")
        if not row.members:
            raise ValidationFailed(
                "세대원이 없는 세대입니다.", "Empty household.", field=f"households.{h}.members"
            )
        members = []
        for m, member in enumerate(row.members):
            field = f"households.{h}.members.{m}"
            rules.person_name(member.name, field=f"{field}.name")
            rules.relationship(member.relationship, field=f"{field}.relationship")
            if (member.relationship == Relationship.HEAD) != (m == 0):
                raise ValidationFailed(
                    "각 세대의 첫 사람만 세대주입니다.",
                    "Exactly the first member of each household is its head.",
                    field=f"{field}.relationship",
                )
            if member.sealed_rrn.index in indexes:
                raise Conflict(
                    "같은 주민등록번호가 두 번 들어 있습니다.",
                    "A number appears twice.",
                    field=f"{field}.rrn",
                )
            indexes.add(member.sealed_rrn.index)
            members.append((member, member.sealed_rrn.open()))
        parsed.append(members)
    if Person.objects.filter(rrn_index__in=indexes).exists():
        raise Conflict(
            "이미 주민등록된 번호가 들어 있습니다.",
            "Some numbers are already registered.",
            field="households",
        )
    return units, parsed


@handler(ImportResidents)
def import_residents(cmd: ImportResidents, *, ctx: Context) -> dict[str, Any]:
    units, parsed = check(cmd.households, ctx)
    persons = Person.objects.bulk_create(
        [
            Person(
                name=member.name.strip(),
                rrn_ciphertext=member.sealed_rrn.blob(),
                rrn_index=member.sealed_rrn.index,
                birth_date=number.birth_date,
                sex=number.sex,
                jurisdiction=units[row.address_code],
                registered_at=ctx.recorded_at,
            )
            for row, members in zip(cmd.households, parsed, strict=True)
            for member, number in members
        ]
    )
    groups: list[list[Person]] = []
    at = 0
    for members in parsed:
        groups.append(persons[at : at + len(members)])
        at += len(members)
    households = Household.objects.bulk_create(
        [
            Household(
                head=group[0],
                road_address=row.road_address,
                address_detail=row.address_detail,
                jurisdiction=units[row.address_code],
                formed_on=row.moved_in_on,
            )
            for row, group in zip(cmd.households, groups, strict=True)
        ]
    )
    HouseholdMember.objects.bulk_create(
        [
            HouseholdMember(
                household=household,
                person=person,
                relationship=member.relationship,
                joined_on=row.moved_in_on,
            )
            for row, household, group, members in zip(
                cmd.households, households, groups, parsed, strict=True
            )
            for person, (member, _) in zip(group, members, strict=True)
        ]
    )
    Residence.objects.bulk_create(
        [
            Residence(
                person=person,
                household=household,
                road_address=row.road_address,
                address_detail=row.address_detail,
                jurisdiction=units[row.address_code],
                moved_in_on=row.moved_in_on,
                reported_on=row.moved_in_on,
                reason=ResidenceReason.REGISTRATION,
                command_id=ctx.command.command_id,
            )
            for row, household, group in zip(cmd.households, households, groups, strict=True)
            for person in group
        ]
    )
    ctx.emit(ResidentsImported(persons=len(persons), households=len(households)))
    return {
        "persons": len(persons),
        "households": [
            {"household_id": h.pk, "person_ids": [p.pk for p in g]}
            for h, g in zip(households, groups, strict=True)
        ],
    }

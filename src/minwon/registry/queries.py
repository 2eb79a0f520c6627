"""Registry reads, shared by pages, the API and other apps (certificates read households
and address histories here). Keep these signatures stable.

Every function that shows a person to staff or an agency takes the ``actor`` and the
``purpose`` and writes the personal-data access log (DESIGN §3.4). Who may read whom is
``registry.policies``; the only national read is the exact-RRN look-up for a move-in,
because the destination office registers a move-in from anywhere (see ``registry.movein``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import models

from minwon.accounts.policies import personal
from minwon.kernel import rrn, sql
from minwon.kernel.errors import NotFound, ValidationFailed
from minwon.kernel.models import Jurisdiction
from minwon.kernel.privacy import log_access
from minwon.kernel.types import Actor, Channel

from . import policies
from .models import (
    RELATIONSHIP_ORDER,
    Household,
    HouseholdMember,
    PendingMoveIn,
    Person,
    Residence,
)

SEARCH_LIMIT = 50


def _need_purpose(purpose: str) -> str:
    text = (purpose or "").strip()
    if not text:
        raise ValidationFailed(
            "열람 목적을 입력하세요.", "State the purpose of this read.", field="purpose"
        )
    return text


def search_persons(
    actor: Actor,
    *,
    purpose: str,
    name: str = "",
    birth_date: date | None = None,
    rrn_text: str = "",
    channel: str = Channel.COUNTER,
    limit: int = SEARCH_LIMIT,
) -> list[Person]:
    """Search by exact RRN (blind index), or by part of a name ("김", "민원") narrowed by a
    birth date, within scope — the counter's person picker and the staff search alike.
    A single character needs the birth date, or it would list half an office's residents.
    Each person returned is access-logged (``policies.visible``)."""
    purpose = _need_purpose(purpose)
    qs = policies.visible(actor, purpose=purpose, channel=channel, label="search")
    part = " ".join((name or "").split())
    if rrn_text:
        index = rrn.blind_index(rrn.parse(rrn_text, field="rrn"))
        qs = qs.filter(rrn_index=index)
    elif part:
        if len(part) < 2 and birth_date is None:
            raise ValidationFailed(
                "성명을 한 글자만 넣을 때는 생년월일도 입력하세요.",
                "With a one-character name, enter the birth date too.",
                field="birth_date",
            )
        qs = qs.filter(name__contains=part)
        if birth_date is not None:
            qs = qs.filter(birth_date=birth_date)
    else:
        raise ValidationFailed(
            "성명 또는 주민등록번호로 검색하세요.",
            "Search by name or by resident registration number.",
            field="name",
        )
    return list(qs.order_by("name", "birth_date", "id")[:limit])


def person_for_move_in(actor: Actor, rrn_text: str, *, channel: str = Channel.COUNTER) -> Person:
    """National exact-RRN look-up for a 전입신고 at the destination office; needs
    ``registry.move_in`` somewhere and is logged with that purpose."""
    policies.require_move_in_look_up(actor)
    index = rrn.blind_index(rrn.parse(rrn_text, field="rrn"))
    national = Person.objects.select_related("jurisdiction").filter(rrn_index=index)
    found = personal(
        national, actor=actor, purpose="전입신고", channel=channel, label="move_in_lookup"
    ).first()
    if found is None:
        raise NotFound(
            "주민등록번호에 해당하는 주민이 없습니다.",
            "No resident with this number.",
            field="rrn",
        )
    return found


def person_detail(
    actor: Actor, person_id: int, *, purpose: str, channel: str = Channel.COUNTER
) -> Person:
    """One person in scope (404 otherwise), logged."""
    return policies.person(actor, person_id, purpose=_need_purpose(purpose), channel=channel)


def household_detail(
    actor: Actor, household_id: int, *, purpose: str, channel: str = Channel.COUNTER
) -> Household:
    """One household in scope (404 otherwise); every current member's read is logged."""
    return policies.household(actor, household_id, purpose=_need_purpose(purpose), channel=channel)


def members_of(household: Household, *, on: date | None = None) -> list[HouseholdMember]:
    """Members (current, or on a date) in the order of the 주민등록표: head, spouse,
    children … then by birth date. Each member's ``person`` (and ``household``) is loaded."""
    hid = household.pk if isinstance(household, Household) else household
    if on is None:
        rows = _statements().members.rows(hid)
    else:
        day = sql.prep(HouseholdMember, "joined_on", on)
        rows = _statements().members_on.rows(hid, day, day)
    members = _members(rows, 0)
    if isinstance(household, Household):
        for m in members:
            _cache(m, "household", household)
    return _in_register_order(members)


def household_of(person: Person | int) -> Household | None:
    """The person's current household (None after death, emigration …), with its
    ``jurisdiction`` and ``head`` loaded."""
    pid = person.pk if isinstance(person, Person) else person
    rows = _statements().household.rows(pid)
    if not rows:
        return None
    row = rows[0]
    household = _one(Household, row, 0)
    _cache(household, "jurisdiction", _one(Jurisdiction, row, _width(Household)))
    head_at = _width(Household) + _width(Jurisdiction)
    _cache(household, "head", _one(Person, row, head_at) if row[head_at] is not None else None)
    return household


def household_with_members(
    person: Person | int,
) -> tuple[Household, list[HouseholdMember]] | None:
    """``household_of(person)`` and ``members_of`` it in one statement (a 등본 prints both,
    on the hottest path of the system). The household's ``head`` is the member's own
    ``Person`` when the head is a current member, as it is in a consistent register;
    otherwise it is read on first use. Unlike ``household_of``, the household's
    ``jurisdiction`` is not joined (see ``_statements``): it is read on first use."""
    pid = person.pk if isinstance(person, Person) else person
    return _household_from(_statements().household_members.rows(pid), 0)


def person_with_household(
    index: str,
) -> tuple[Person, tuple[Household, list[HouseholdMember]] | None] | None:
    """``person_by_index(index)`` and ``household_with_members`` of that person in one
    statement: a resident asking for their own 등본 or 초본 at a kiosk, a counter or
    online needs both, and this is the request the system answers most. Jurisdictions
    are not joined, as in ``household_with_members``."""
    if not index:
        return None
    rows = _statements().person_household.rows(index)
    if not rows:
        return None
    return _one(Person, rows[0], 0), _household_from(rows, _width(Person))


def _household_from(
    rows: list[tuple[Any, ...]], start: int
) -> tuple[Household, list[HouseholdMember]] | None:
    """A household and its members (with their persons) from rows holding household,
    member and person columns from ``start``; None when there are no rows or the household
    columns are null (outer join, no household)."""
    if not rows or rows[0][start] is None:
        return None
    household = _one(Household, rows[0], start)
    members = _members(rows, start + _width(Household))
    for m in members:
        _cache(m, "household", household)
    if household.head_id is None:
        _cache(household, "head", None)
    for m in members:
        if m.person_id == household.head_id:
            _cache(household, "head", m.person)
    return household, _in_register_order(members)


def _in_register_order(members: list[HouseholdMember]) -> list[HouseholdMember]:
    return sorted(
        members,
        key=lambda m: (RELATIONSHIP_ORDER.get(m.relationship, 99), m.person.birth_date, m.pk),
    )


# Precompiled reads. Households, members and persons are read on every certificate and
# every household page; building these querysets (three select_related joins) cost more
# CPU than the database spent answering them, so the statements are written once here
# from the models' own metadata and rows become instances as the ORM would build them
# (``kernel.sql.Select``: same converters, ``Model.from_db``, related caches filled as
# ``select_related`` fills them). Statements are sent with their values inlined, so
# PostgreSQL plans each one every time: the combined reads join no jurisdictions, because
# planning seven tables took 0.5 ms against 0.2 ms for five, and 0.07 ms to execute.


def _fields(model: type[models.Model]) -> list[Any]:
    return list(model._meta.concrete_fields)


def _width(model: type[models.Model]) -> int:
    return len(model._meta.concrete_fields)


def _columns(alias: str, model: type[models.Model]) -> str:
    return ", ".join(f'{alias}."{f.column}"' for f in _fields(model))


def _one(model: type[models.Model], row: tuple[Any, ...], start: int) -> Any:
    names = [f.attname for f in _fields(model)]
    return sql.instances(model, names, [row[start : start + len(names)]])[0]


def _cache(obj: models.Model, field: str, value: Any) -> None:
    obj._meta.get_field(field).set_cached_value(obj, value)  # type: ignore[union-attr]


def _members(rows: list[tuple[Any, ...]], start: int) -> list[HouseholdMember]:
    """Members with their persons from rows holding member then person columns at
    ``start``."""
    out = []
    person_at = start + _width(HouseholdMember)
    for row in rows:
        member = _one(HouseholdMember, row, start)
        _cache(member, "person", _one(Person, row, person_at))
        out.append(member)
    return out


@dataclasses.dataclass(frozen=True)
class _Statements:
    person: sql.Select
    household: sql.Select
    members: sql.Select
    members_on: sql.Select
    household_members: sql.Select
    person_household: sql.Select
    history: sql.Select


@functools.cache
def _statements() -> _Statements:
    t = {m: f'"{m._meta.db_table}"' for m in (Person, Household, HouseholdMember, Jurisdiction)}
    person, household, member, place = (
        t[Person], t[Household], t[HouseholdMember], t[Jurisdiction]
    )  # fmt: skip
    p, h, m, j = (
        _fields(Person),
        _fields(Household),
        _fields(HouseholdMember),
        _fields(Jurisdiction),
    )
    # Table and column names come from the models' metadata, never from input.
    members = (
        f"SELECT {_columns('m', HouseholdMember)}, {_columns('p', Person)}"  # noqa: S608
        f' FROM {member} m JOIN {person} p ON p."id" = m."person_id"'
        ' WHERE m."household_id" = %s'
    )
    return _Statements(
        person=sql.Select(
            f"SELECT {_columns('p', Person)}, {_columns('j', Jurisdiction)}"  # noqa: S608
            f' FROM {person} p JOIN {place} j ON j."code" = p."jurisdiction_id"'
            ' WHERE p."rrn_index" = %s LIMIT 1',
            p + j,
        ),
        household=sql.Select(
            f"SELECT {_columns('h', Household)}, {_columns('j', Jurisdiction)},"  # noqa: S608
            f" {_columns('hp', Person)}"
            f' FROM {member} me JOIN {household} h ON h."id" = me."household_id"'
            f' JOIN {place} j ON j."code" = h."jurisdiction_id"'
            f' LEFT JOIN {person} hp ON hp."id" = h."head_id"'
            ' WHERE me."person_id" = %s AND me."left_on" IS NULL ORDER BY me."id" LIMIT 1',
            h + j + p,
        ),
        members=sql.Select(members + ' AND m."left_on" IS NULL', m + p),
        members_on=sql.Select(
            members + ' AND m."joined_on" <= %s AND (m."left_on" IS NULL OR m."left_on" > %s)',
            m + p,
        ),
        household_members=sql.Select(
            f"SELECT {_columns('h', Household)}, {_columns('m', HouseholdMember)},"  # noqa: S608
            f" {_columns('p', Person)}"
            f' FROM {member} me JOIN {household} h ON h."id" = me."household_id"'
            f' JOIN {member} m ON m."household_id" = h."id" AND m."left_on" IS NULL'
            f' JOIN {person} p ON p."id" = m."person_id"'
            ' WHERE me."person_id" = %s AND me."left_on" IS NULL',
            h + m + p,
        ),
        person_household=sql.Select(
            f"SELECT {_columns('me', Person)}, {_columns('h', Household)},"  # noqa: S608
            f" {_columns('m', HouseholdMember)}, {_columns('p', Person)}"
            f" FROM {person} me"
            f' LEFT JOIN {member} mm ON mm."person_id" = me."id" AND mm."left_on" IS NULL'
            f' LEFT JOIN {household} h ON h."id" = mm."household_id"'
            f' LEFT JOIN {member} m ON m."household_id" = h."id" AND m."left_on" IS NULL'
            f' LEFT JOIN {person} p ON p."id" = m."person_id"'
            ' WHERE me."rrn_index" = %s',
            p + h + m + p,
        ),
        history=sql.Select(
            f"SELECT {_columns('r', Residence)}, {_columns('j', Jurisdiction)}"  # noqa: S608
            f' FROM "{Residence._meta.db_table}" r JOIN {place} j ON j."code" = r."jurisdiction_id"'
            ' WHERE r."person_id" = %s ORDER BY r."moved_in_on", r."id"',
            _fields(Residence) + j,
        ),
    )


def address_history(person: Person | int) -> list[Residence]:
    """Every address the person has had, oldest first (for the 초본)."""
    pid = person.pk if isinstance(person, Person) else person
    out = []
    for row in _statements().history.rows(pid):
        residence = _one(Residence, row, 0)
        _cache(residence, "jurisdiction", _one(Jurisdiction, row, _width(Residence)))
        out.append(residence)
    return out


@dataclasses.dataclass(frozen=True)
class CurrentAddress:
    road_address: str
    address_detail: str
    jurisdiction_code: str

    @property
    def full(self) -> str:
        return f"{self.road_address} {self.address_detail}".strip()


def current_address(person_id: int) -> CurrentAddress | None:
    """Where the person lives now (linked registers use it for 사용본거지, 송달 주소)."""
    row = (
        Residence.objects.filter(person_id=person_id, moved_out_on__isnull=True)
        .order_by("-moved_in_on", "-id")
        .values_list("road_address", "address_detail", "jurisdiction_id")
        .first()
    )
    return CurrentAddress(*row) if row else None


def masked_rrn(person: Person) -> str:
    """``900101-1******``: what staff and documents show by default."""
    return rrn.mask(rrn.decrypt(bytes(person.rrn_ciphertext), person.rrn_index))


def reveal_rrn(
    actor: Actor, person: Person, *, purpose: str, channel: str = Channel.COUNTER
) -> str:
    """The full number, for a role that may see it and a stated purpose; logged."""
    purpose = _need_purpose(purpose)
    policies.require_reveal_rrn(actor, person)
    log_access(
        actor=actor,
        channel=channel,
        subject_type="person",
        subject_id=str(person.pk),
        what="reveal_rrn",
        purpose=purpose,
        jurisdiction=person.jurisdiction_id,
    )
    return rrn.decrypt(bytes(person.rrn_ciphertext), person.rrn_index)


def person_by_index(index: str) -> Person | None:
    """The person with an RRN blind index (a citizen's own record: ``identity_index``),
    with its ``jurisdiction`` loaded."""
    if not index:
        return None
    rows = _statements().person.rows(index)
    if not rows:
        return None
    person = _one(Person, rows[0], 0)
    _cache(person, "jurisdiction", _one(Jurisdiction, rows[0], _width(Person)))
    return person


def pending_for_head(person: Person) -> list[PendingMoveIn]:
    """Online move-ins into the person's household waiting for their confirmation."""
    return list(
        PendingMoveIn.objects.filter(
            household__head=person, state=PendingMoveIn.State.PENDING
        ).order_by("requested_at")
    )


def persons_by_ids(ids: Iterable[int]) -> dict[int, Person]:
    return {p.pk: p for p in Person.objects.filter(pk__in=list(ids))}

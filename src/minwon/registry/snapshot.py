"""The household snapshot (``HouseholdSnapshot``): one row per household with what a 등본 and
the counter show, kept inside the command's transaction by the subscribers below and read
by primary key (``household_view``; ``person_with_household`` from the member's copy,
``HouseholdSnapshotKey``) with ``kernel.sql.get``, the kernel's by-key read of a model:
compiling a queryset per request cost more than the hand-joined read it replaces.

Every registry event that changes a household's address, head, members, their relationship
or status names the households it touched, or names persons whose memberships closed on the
event's date (a move-in's or a death's former household); the subscriber rebuilds those rows
from the register with ``build``, the same function ``rebuild`` uses, so the two cannot
disagree. The set-based load (``bulk.LoadResidents``) writes its new rows with
``write_new`` (``COPY`` / ``executemany``), like its search documents.

A household without a row (an edge's replica takes the register's tables, not this one) is
built in memory from the register when read, never written by a read.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from minwon.kernel import sql
from minwon.kernel.bus import Context
from minwon.kernel.registry import subscriber

from .events import (
    HouseholdHeadChanged,
    HouseholdsMerged,
    HouseholdSplit,
    MoveInReported,
    PersonRegistered,
    PersonStatusChanged,
    ResidentsImported,
)
from .models import (
    RELATIONSHIP_ORDER,
    Household,
    HouseholdMember,
    HouseholdSnapshot,
    HouseholdSnapshotKey,
    Person,
    Relationship,
    Residence,
)

#: Households read per statement when building (well under SQLite's variable limit).
CHUNK = 900

Models = tuple[Any, Any, Any, Any]
_MODELS: Models = (Household, HouseholdMember, HouseholdSnapshot, HouseholdSnapshotKey)

COLUMNS = (
    "household_id", "head_person_id", "road_address", "address_detail", "jurisdiction_code",
    "formed_on", "dissolved_on", "members",
)  # fmt: skip
KEY_COLUMNS = ("rrn_index", "person_id", *COLUMNS)

_LABELS = dict(Relationship.choices)


# --- what readers get --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SealedPerson:
    """A member as the snapshot holds them: enough for a certificate (name, sealed number,
    office), duck-typed like the ``Person`` fields it copies."""

    pk: int
    name: str
    rrn_ciphertext: bytes
    rrn_index: str
    jurisdiction_id: str

    @property
    def id(self) -> int:
        return self.pk


@dataclasses.dataclass(frozen=True)
class Member:
    """One current member (세대원) with their relationship to the head and move-in date."""

    person: SealedPerson
    relationship: str
    joined_on: date

    @property
    def person_id(self) -> int:
        return self.person.pk

    def get_relationship_display(self) -> str:
        return str(_LABELS.get(self.relationship, self.relationship))


@dataclasses.dataclass(frozen=True)
class HouseholdView:
    """A household as certificates and the counter's lists show it."""

    pk: int
    head_id: int | None
    road_address: str
    address_detail: str
    jurisdiction_id: str
    formed_on: date
    dissolved_on: date | None
    members: list[Member]

    @property
    def full_address(self) -> str:
        return f"{self.road_address} {self.address_detail}".strip()

    @property
    def head(self) -> SealedPerson | None:
        """The head among the current members (None if the head is not one)."""
        return next((m.person for m in self.members if m.person_id == self.head_id), None)


def _view(row: Any) -> HouseholdView:
    """The reader's view of a household row or a member's key row (the same fields)."""
    code = row.jurisdiction_code
    members = [
        Member(
            SealedPerson(
                m["person_id"], m["name"], base64.b64decode(m["rrn_ciphertext"]),
                m["rrn_index"], code,
            ),
            m["relationship"],
            date.fromisoformat(m["joined_on"]),
        )
        for m in row.members
    ]  # fmt: skip
    return HouseholdView(
        row.household_id, row.head_person_id, row.road_address, row.address_detail, code,
        row.formed_on, row.dissolved_on, members,
    )  # fmt: skip


# --- reads by key ---------------------------------------------------------------------------


def household_view(household_id: int) -> HouseholdView | None:
    """The snapshot of one household (None if there is no such household)."""
    row = sql.get(HouseholdSnapshot, household_id)
    if row is not None:
        return _view(row)
    built = build([household_id])
    return _view(built[0]) if built else None


def household_of_person(person_id: int) -> HouseholdView | None:
    """The snapshot of the person's current household (None after death, emigration …):
    the person, then their key row, each by primary key."""
    person = sql.get(Person, person_id)
    if person is None:
        return None
    key = sql.get(HouseholdSnapshotKey, person.rrn_index)
    if key is not None:
        return _view(key)
    hid = _open_household(person_id)
    return household_view(hid) if hid is not None else None


def _open_household(person_id: int) -> int | None:
    """From the register: the household of the person's open membership (no key row)."""
    return (
        HouseholdMember.objects.filter(person_id=person_id, left_on__isnull=True)
        .values_list("household_id", flat=True)
        .first()
    )


def person_with_household(
    index: str,
) -> tuple[Any, HouseholdView | None] | None:
    """The person with an RRN blind index and their current household: when they have
    one, one read by primary key (their key row), the person being its member (a
    ``SealedPerson``). Without a household, the ``Person`` itself."""
    if not index:
        return None
    key = sql.get(HouseholdSnapshotKey, index)
    if key is not None:
        view = _view(key)
        me = next((m.person for m in view.members if m.person.rrn_index == index), None)
        if me is not None:
            return me, view
    person = Person.objects.filter(rrn_index=index).first()
    if person is None:
        return None
    return person, household_of_person(person.pk)


# --- building rows from the register ---------------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for at in range(0, len(ids), CHUNK):
        yield ids[at : at + CHUNK]


def build(household_ids: Iterable[int], *, models: Models = _MODELS) -> list[Any]:
    """Unsaved snapshot rows of these households, from the register (two reads per chunk);
    members in 주민등록표 order: head, spouse, children … then birth date, then membership."""
    snapshot = models[2]
    return [
        snapshot(**dict(zip(COLUMNS, v, strict=True))) for v in built(household_ids, models=models)
    ]


def built(household_ids: Iterable[int], *, models: Models = _MODELS) -> list[tuple[Any, ...]]:
    """``build``'s rows as tuples of ``COLUMNS`` values, the model instances not made (a set
    load writes them as they are: ``Model.__init__`` was a tenth of ``write_new``)."""
    household, member, _snapshot, _key = models
    ids = sorted(set(household_ids))
    out = []
    for chunk in _chunks(ids):
        by_household: dict[int, list[tuple[Any, ...]]] = {}
        rows = member.objects.filter(household_id__in=chunk, left_on__isnull=True).values_list(
            "household_id", "pk", "person_id", "relationship", "joined_on", "person__name",
            "person__rrn_ciphertext", "person__rrn_index", "person__birth_date",
        )  # fmt: skip
        for row in rows:
            by_household.setdefault(row[0], []).append(row)
        heads = household.objects.filter(pk__in=chunk).values_list(
            "pk", "head_id", "road_address", "address_detail", "jurisdiction_id", "formed_on",
            "dissolved_on",
        )  # fmt: skip
        for hid, head, road, detail, code, formed, dissolved in heads:
            found = sorted(
                by_household.get(hid, []),
                key=lambda r: (RELATIONSHIP_ORDER.get(r[3], 99), r[8], r[1]),
            )
            members = [
                {"person_id": r[2], "name": r[5], "relationship": r[3],
                 "joined_on": r[4].isoformat(),
                 "rrn_ciphertext": base64.b64encode(bytes(r[6])).decode("ascii"),
                 "rrn_index": r[7]}
                for r in found
            ]  # fmt: skip
            out.append((hid, head, road, detail, code, formed, dissolved, members))
    return out


def _values(row: Any) -> tuple[Any, ...]:
    return tuple(getattr(row, c) for c in COLUMNS)


def _keys(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """The key rows' values (``KEY_COLUMNS``) of these household rows: one per member."""
    return _value_keys(_values(row) for row in rows)


def _value_keys(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """``_keys`` of rows given as ``COLUMNS`` values (``built``'s)."""
    at = COLUMNS.index("members")
    for values in rows:
        for m in values[at]:
            yield (m["rrn_index"], m["person_id"], *values)


def refresh(household_ids: Iterable[int]) -> None:
    """Rebuild the rows of these households and their members' keys (inside the caller's
    transaction). A mover's key row goes with the household it pointed to."""
    ids = sorted(set(household_ids))
    if not ids:
        return
    rows = build(ids)
    keys = list(_keys(rows))
    HouseholdSnapshotKey.objects.filter(
        Q(household_id__in=ids) | Q(rrn_index__in=[k[0] for k in keys])
    ).delete()
    HouseholdSnapshot.objects.filter(pk__in=ids).delete()
    HouseholdSnapshot.objects.bulk_create(rows)
    HouseholdSnapshotKey.objects.bulk_create(
        [HouseholdSnapshotKey(**dict(zip(KEY_COLUMNS, k, strict=True))) for k in keys]
    )


def follow_replica(household_ids: Iterable[int]) -> None:
    """An edge's replica took central's rows of these households (``continuity.feed``
    writes the register's tables, not through commands): their rows are built again."""
    refresh(household_ids)


def write_new(household_ids: Sequence[int], *, models: Models = _MODELS) -> int:
    """The rows (and keys) of households that have none yet (a set-based load), as sets."""
    from .bulk import insert_rows

    total = 0
    for chunk in _chunks(list(household_ids)):
        rows = built(chunk, models=models)
        total += insert_rows(models[2], COLUMNS, rows)
        insert_rows(models[3], KEY_COLUMNS, _value_keys(rows))
    return total


def rebuild(
    *, batch: int = 2000, models: Models = _MODELS, progress: Callable[[int], object] | None = None
) -> int:
    """Every row built again from the register, in one transaction (readers see the old
    rows until it commits)."""
    household, _member, snapshot, key = models
    total = 0
    with transaction.atomic():
        key.objects.all().delete()
        snapshot.objects.all().delete()
        ids = list(household.objects.order_by("pk").values_list("pk", flat=True))
        for at in range(0, len(ids), batch):
            total += write_new(ids[at : at + batch], models=models)
            if progress is not None:
                progress(len(ids[at : at + batch]))
    return total


# --- the subscribers --------------------------------------------------------------------------


def _left_on(person_ids: Iterable[int], day: date) -> list[int]:
    """Households these persons left on ``day`` (a move-in's or a death's former ones)."""
    return list(
        HouseholdMember.objects.filter(person_id__in=list(person_ids), left_on=day).values_list(
            "household_id", flat=True
        )
    )


@subscriber(PersonRegistered)
def person_registered(event: PersonRegistered, *, ctx: Context) -> None:
    refresh([event.household_id])


@subscriber(MoveInReported)
def moved_in(event: MoveInReported, *, ctx: Context) -> None:
    """The destination and every household the movers left (ended ones included)."""
    refresh([event.household_id, *_left_on(event.person_ids, event.moved_in_on)])


@subscriber(HouseholdHeadChanged)
def head_changed(event: HouseholdHeadChanged, *, ctx: Context) -> None:
    refresh([event.household_id])


@subscriber(HouseholdsMerged)
def households_merged(event: HouseholdsMerged, *, ctx: Context) -> None:
    refresh([event.household_id, event.absorbed_household_id])


@subscriber(HouseholdSplit)
def household_split(event: HouseholdSplit, *, ctx: Context) -> None:
    refresh([event.household_id, event.new_household_id])


@subscriber(PersonStatusChanged)
def status_changed(event: PersonStatusChanged, *, ctx: Context) -> None:
    """A death or an emigration: the household they left (its head may have changed)."""
    refresh(_left_on([event.person_id], event.effective_on))


@subscriber(ResidentsImported)
def residents_imported(event: ResidentsImported, *, ctx: Context) -> None:
    """The row-by-row import's event carries counts; its residence rows carry the command."""
    rows = Residence.objects.filter(command_id=ctx.command.command_id, household__isnull=False)
    refresh(rows.values_list("household_id", flat=True).distinct())

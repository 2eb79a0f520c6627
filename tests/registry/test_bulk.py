"""The set-based load (``registry.bulk.LoadResidents``) yields the same rows as the row-by-row
``ImportResidents``: households, members, residences and search documents (compared by the
resident numbers' blind indexes, the ids being whatever each path was given), numbers sealed
so they decrypt and are found by the blind index, documents equal to a rebuild, and the
audit chain intact. Both databases (``--postgres``)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction

from minwon.kernel import audit, execute, rrn
from minwon.kernel.errors import Conflict
from minwon.kernel.models import CommandRecord
from minwon.kernel.types import Actor, Channel, Command
from minwon.portal import index
from minwon.portal.models import SearchDocument
from minwon.registry.bulk import LoadResidents, insert_rows, reserve_ids
from minwon.registry.importer import HouseholdRow, ImportResidents, ResidentRow
from minwon.registry.models import Household, HouseholdMember, Person, Residence

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
DONGS = ["5113055000", "5113066000", "4415057000", "5211168000"]
SURNAMES = "김이박최정강조윤"
GIVEN = ["민준", "서연", "도윤", "지우", "하준", "서윤", "은우", "지아", "민", "하늘"]


def batches(total: int, per: int = 700) -> tuple[list[list[HouseholdRow]], list[str]]:
    """``total`` persons in households of 1-4 (seeded), in batches of about ``per``."""
    rng = random.Random(20)
    numbers: list[str] = []
    out: list[list[HouseholdRow]] = []
    made = 0
    while made < total:
        rows, count = [], 0
        while count < per and made + count < total:
            size = min(rng.choice([1, 1, 2, 3, 4]), total - made - count)
            members = []
            for m in range(size):
                born = date(1950, 1, 1) + timedelta(days=rng.randrange(20000))
                sex = (1 if born.year < 2000 else 3) + rng.randrange(2)
                number = rrn.with_check_digit(f"{born:%y%m%d}{sex}{len(numbers):05d}")
                numbers.append(number)
                members.append(
                    ResidentRow(
                        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                        sealed_rrn=rrn.SealedRRN.from_text(number),
                        relationship="head" if m == 0 else rng.choice(["spouse", "child"]),
                    )
                )
            rows.append(
                HouseholdRow(
                    road_address=f"강원특별자치도 원주시 단구로 {rng.randint(1, 400)}",
                    address_detail=rng.choice(["", "101동 1203호"]),
                    address_code=rng.choice(DONGS),
                    moved_in_on=date(2024, 1, 1) + timedelta(days=rng.randrange(300)),
                    members=members,
                )
            )
            count += size
        out.append(rows)
        made += count
    return out, numbers


def run(kind: type[Command], households: list[HouseholdRow]) -> dict[str, Any]:
    cmd: Any = kind(
        actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction="0000000000", households=households
    )
    return execute(cmd).value


def rows_by_number() -> dict[str, set[tuple[Any, ...]]]:
    """Every registry row and search document of the persons and households, with ids
    replaced by blind indexes (a household by its head's)."""
    index_of = dict(Person.objects.values_list("pk", "rrn_index"))
    head_of = {h: index_of[p] for h, p in Household.objects.values_list("pk", "head_id")}

    def doc_id(kind: str, entity: str) -> str:
        return index_of[int(entity)] if kind == "person" else head_of[int(entity)]

    return {
        "persons": {
            (p.rrn_index, p.name, p.birth_date, p.sex, p.nationality, p.status, p.status_on,
             p.jurisdiction_id, rrn.decrypt(bytes(p.rrn_ciphertext), p.rrn_index))
            for p in Person.objects.all()
        },
        "households": {
            (head_of[h.pk], h.road_address, h.address_detail, h.jurisdiction_id, h.formed_on,
             h.dissolved_on)
            for h in Household.objects.all()
        },
        "members": {
            (head_of[m.household_id], index_of[m.person_id], m.relationship, m.joined_on,
             m.left_on)
            for m in HouseholdMember.objects.all()
        },
        "residences": {
            (index_of[r.person_id], head_of[r.household_id], r.road_address, r.address_detail,
             r.jurisdiction_id, r.moved_in_on, r.reported_on, r.moved_out_on, r.reason,
             r.late_days)
            for r in Residence.objects.all()
        },
        "documents": {
            (d.kind, doc_id(d.kind, d.entity_id), d.jurisdiction_path, d.permission, d.title,
             d.details, d.key1 if d.kind == "person" else "", d.key2, d.key3, d.tokens)
            for d in SearchDocument.objects.filter(kind__in=["person", "household"])
        },
    }  # fmt: skip


def documents() -> set[tuple[Any, ...]]:
    return set(
        SearchDocument.objects.values_list(
            "kind", "entity_id", "jurisdiction_path", "permission", "title", "details", "key1",
            "key2", "key3", "tokens",
        )
    )  # fmt: skip


def test_load_yields_the_rows_of_the_row_by_row_import(jurisdictions_loaded: None) -> None:
    groups, numbers = batches(2000)
    for households in groups:
        run(ImportResidents, households)
    reference = rows_by_number()
    # clear the registers (not a command: the test's own reset) so the same numbers load again
    SearchDocument.objects.all().delete()
    Residence.objects.all().delete()
    HouseholdMember.objects.all().delete()
    Household.objects.all().delete()
    Person.objects.all().delete()

    results = [run(LoadResidents, households) for households in groups]
    loaded = rows_by_number()
    assert {k: len(v) for k, v in loaded.items()} == {k: len(v) for k, v in reference.items()}
    assert len(loaded["persons"]) == 2000
    for key in reference:
        assert loaded[key] == reference[key], key

    # the result names the new rows as ImportResidents' does
    first = results[0]["households"][0]
    head = Person.objects.get(pk=first["person_ids"][0])
    assert Household.objects.get(pk=first["household_id"]).head_id == head.pk
    assert sum(r["persons"] for r in results) == 2000

    # each number decrypts and is found by its blind index (never stored in clear)
    for number in numbers[::97]:
        sealed = rrn.SealedRRN.from_text(number)
        person = Person.objects.get(rrn_index=sealed.index)
        opened = rrn.decrypt(bytes(person.rrn_ciphertext), person.rrn_index)
        assert opened == rrn.parse(number).normalized
        assert number.encode() not in bytes(person.rrn_ciphertext)

    # the read model equals a rebuild from the registers
    kept = documents()
    assert len(kept) == 2000 + Household.objects.count()
    index.rebuild()
    assert documents() == kept

    # one command record per batch, and the audit chain verifies
    for name in (LoadResidents.command_name(), ImportResidents.command_name()):
        assert CommandRecord.objects.filter(name=name).count() == len(groups)
    assert list(audit.verify()) == []


def test_a_number_already_registered_refuses_the_whole_batch(jurisdictions_loaded: None) -> None:
    groups, _ = batches(30, per=30)
    run(LoadResidents, groups[0][:2])
    before = (Person.objects.count(), SearchDocument.objects.count())
    with pytest.raises(Conflict):
        run(LoadResidents, groups[0])
    assert (Person.objects.count(), SearchDocument.objects.count()) == before


def test_insert_rows_fills_defaults_and_reserved_ids_follow(jurisdictions_loaded: None) -> None:
    groups, _ = batches(5, per=5)
    run(LoadResidents, groups[0])
    with transaction.atomic():
        ids = reserve_ids(Person, 2)
        assert ids[0] > Person.objects.order_by("-pk").values_list("pk", flat=True)[0]
        sealed = rrn.SealedRRN.from_text(rrn.with_check_digit("9001011" + "77777"))
        insert_rows(
            Person,
            ("id", "name", "rrn_ciphertext", "rrn_index", "birth_date", "sex",
             "jurisdiction_id", "registered_at"),
            [(ids[0], "정기본", sealed.blob(), sealed.index, date(1990, 1, 1), "M", DONGS[0],
              Person.objects.first().registered_at)],  # type: ignore[union-attr]
        )  # fmt: skip
    person = Person.objects.get(pk=ids[0])
    assert (person.nationality, person.status, person.status_on) == ("KR", "active", None)
    # the row-by-row path's next id does not collide with the reserved ones
    run(ImportResidents, [_one("박다음")])
    assert Person.objects.order_by("-pk").first().name == "박다음"  # type: ignore[union-attr]


def _one(name: str) -> HouseholdRow:
    return HouseholdRow(
        road_address="강원특별자치도 원주시 단구로 9",
        address_code=DONGS[0],
        moved_in_on=date(2024, 5, 1),
        members=[
            ResidentRow(
                name=name,
                sealed_rrn=rrn.SealedRRN.from_text(rrn.with_check_digit("8001011" + "88888")),
                relationship="head",
            )
        ],
    )


def test_insert_rows_stores_dates_times_and_uuids_as_the_orm_does(
    jurisdictions_loaded: None,
) -> None:
    """``insert_rows`` converts SQLite's dates, aware datetimes and UUIDs itself (not through
    Django's per-value dispatch): the stored text must be the ORM's, byte for byte."""
    import uuid
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.db import connection

    groups, _ = batches(2, per=2)
    run(LoadResidents, groups[0])
    household = Household.objects.first()
    assert household is not None
    seoul = ZoneInfo("Asia/Seoul")
    command = uuid.uuid4()
    numbers = iter(
        rrn.SealedRRN.from_text(rrn.with_check_digit(f"9001011{n}")) for n in range(77771, 77775)
    )
    people = []
    for at in (
        datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=seoul),
        datetime(2026, 3, 1, 0, 0, tzinfo=seoul),
    ):
        values = {
            "name": "정저장", "birth_date": date(1990, 1, 1), "sex": "M",
            "jurisdiction_id": DONGS[0], "registered_at": at,
        }  # fmt: skip
        one, other = next(numbers), next(numbers)
        by_orm = Person.objects.create(rrn_ciphertext=one.blob(), rrn_index=one.index, **values)
        with transaction.atomic():
            [pid] = reserve_ids(Person, 1)
            insert_rows(
                Person,
                ("id", "rrn_ciphertext", "rrn_index", *values),
                [(pid, other.blob(), other.index, *values.values())],
            )
        people.append((by_orm.pk, pid))
    residence = {
        "household_id": household.pk, "road_address": "강원특별자치도 원주시 단구로 9",
        "address_detail": "", "jurisdiction_id": DONGS[0], "moved_in_on": date(2024, 5, 1),
        "reported_on": date(2024, 5, 2), "reason": "registration", "command_id": command,
    }  # fmt: skip
    orm_res = Residence.objects.create(person_id=people[0][0], **residence)
    insert_rows(Residence, ("person_id", *residence), [(people[0][1], *residence.values())])
    with connection.cursor() as cursor:

        def raw(table: str, columns: str, key: str, value: int) -> tuple[Any, ...]:
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {key} = %s", [value])
            return tuple(cursor.fetchone())

        for orm_pk, bulk_pk in people:
            cols = "birth_date, registered_at, status_on, nationality"
            assert raw("registry_person", cols, "id", orm_pk) == raw(
                "registry_person", cols, "id", bulk_pk
            )
        cols = "moved_in_on, reported_on, moved_out_on, command_id"
        made = raw("registry_residence", cols, "id", orm_res.pk)
        assert made == raw("registry_residence", cols, "person_id", people[0][1])
    assert Residence.objects.get(person_id=people[0][1]).command_id == command

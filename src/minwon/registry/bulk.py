"""The set-based load of residents: ``LoadResidents`` takes the same batch as
``ImportResidents`` (households of sealed numbers), is checked by the same function
(``importer.check``: offices, addresses, names, heads, numbers new and opened) and runs
through ``execute`` like any command — command record, audit chain, idempotency — but writes
its rows as sets: ``COPY … FROM STDIN`` through psycopg's ``cursor.copy()`` on PostgreSQL,
one ``executemany`` per table on SQLite, with ids reserved beforehand instead of read back.

Its event, ``ResidentsLoaded``, names the new persons and households; its subscriber (below,
in the same transaction) builds their search documents with the portal's own builders
(``portal.index.persons`` / ``households``, the ones ``minwon search rebuild`` uses) and
writes them the same way. ``minwon demo --residents N`` and ``bench/search.py`` use it;
``ImportResidents`` stays the row-by-row reference (a test compares the two).

Where the time of ``ImportResidents`` went (py-spy, 20,000 persons on PostgreSQL): about half
in Django's ``bulk_create`` (one model instance and one prepared value per field, then
psycopg parsing a 10,000-placeholder statement), a third in the search subscriber's own
``bulk_create`` — the numbers' encryption was a few per cent.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from minwon.kernel.bus import Context
from minwon.kernel.registry import handler, register_event, subscriber
from minwon.kernel.types import Command, Event
from minwon.registry.permissions import RegistryPermission

from .importer import HouseholdRow, check
from .models import Household, HouseholdMember, Person, ResidenceReason
from .models import Residence as ResidenceModel

# --- writing rows as sets --------------------------------------------------------------------

#: Field types whose Python values the driver does not store as Django would (psycopg
#: adapts dates, UUIDs and bytes itself; neither driver takes a dict for JSON).
_PREPARED = {
    "postgresql": {"JSONField"},
    "sqlite": {
        "DateField",
        "DateTimeField",
        "UUIDField",
        "BinaryField",
        "DecimalField",
        "JSONField",
    },
}


def _converter(field: models.Field[Any, Any], db: Any) -> Callable[[Any], Any]:
    """``field.get_db_prep_save(value, db)`` for one column's values, with SQLite's three
    common cases done directly — the value Django's SQLite operations store
    (``adapt_datefield_value``, ``adapt_datetimefield_value``, ``UUIDField``'s hex), without
    its per-value dispatch, which was a tenth of a bulk load. Anything else (a naive or
    non-standard value) goes through Django."""

    def django(value: Any) -> Any:
        return field.get_db_prep_save(value, db)

    if db.vendor != "sqlite":
        return django
    kind = field.get_internal_type()
    if kind == "DateField":
        return lambda v: str(v) if type(v) is date else django(v)
    if kind == "UUIDField":
        return lambda v: v.hex if type(v) is uuid.UUID else django(v)
    if kind == "DateTimeField" and settings.USE_TZ:
        zone = db.timezone

        def stored(v: Any) -> Any:
            if type(v) is datetime and v.utcoffset() is not None:
                return str(v.astimezone(zone).replace(tzinfo=None))
            return django(v)

        return stored
    return django


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model``'s table, taken before the rows are written
    (so the rows can name each other without reading anything back). Inside the command's
    transaction: PostgreSQL draws them from the table's sequence; SQLite's transactions are
    ``IMMEDIATE`` here, so the write lock is already held and the next ids are free."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        assert connection.in_atomic_block, "reserve ids inside the command's transaction"
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')  # noqa: S608 - model's own table
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0) + 1
    return list(range(start, start + count))


def _default(field: models.Field[Any, Any]) -> Any:
    if field.has_default():
        value = field.get_default()
        return value.value if isinstance(value, enum.Enum) else value
    if field.null:
        return None
    raise ValueError(f"{field.model.__name__}.{field.attname} needs a value")


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write ``rows`` (tuples of Python values in the order of ``columns``, attribute names
    such as ``person_id``) into ``model``'s table in the current transaction; every other
    column gets the field's default (or NULL). No model instances, no per-row statement:
    PostgreSQL ``COPY``, SQLite multi-row ``INSERT`` statements. Returns the number of rows."""
    # The connection itself, not the ``connection`` proxy: every prepared value names it,
    # and the proxy's thread-local look-up was a tenth of a load.
    db = connections[DEFAULT_DB_ALIAS]
    fields = {f.attname: f for f in model._meta.concrete_fields}
    chosen = [fields[c] for c in columns]
    rest = [
        f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key
    ]
    kinds = _PREPARED[db.vendor]
    defaults = [(f, _default(f)) for f in rest]
    extra = tuple(
        f.get_db_prep_save(v, db) if v is not None and f.get_internal_type() in kinds
        else v
        for f, v in defaults
    )  # fmt: skip
    names = [str(f.column) for f in chosen + rest]
    table = model._meta.db_table
    prepare = [
        (i, _converter(f, db)) for i, f in enumerate(chosen) if f.get_internal_type() in kinds
    ]
    count = 0

    def prepared() -> Iterator[Sequence[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            if not prepare:
                yield (*row, *extra)
                continue
            values = [*row, *extra]
            for i, convert in prepare:
                if values[i] is not None:
                    values[i] = convert(values[i])
            yield values

    with db.cursor() as cursor:
        raw = cursor.cursor
        if db.vendor == "postgresql":
            from psycopg import sql

            copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join([sql.Identifier(n) for n in names])
            )
            with raw.copy(copy_sql) as copy:
                for values in prepared():
                    copy.write_row(values)
            return count

        quoted = ", ".join(f'"{n}"' for n in names)
        group = "(" + ", ".join("?" for _ in names) + ")"
        per = max(1, min(_SQLITE_ROWS, _sqlite_variables(raw) // len(names)))
        insert = f'INSERT INTO "{table}" ({quoted}) VALUES '  # noqa: S608 - model's own table
        full = insert + ", ".join(group for _ in range(per))
        chunk: list[Any] = []
        rows_in_chunk = 0
        for values in prepared():
            chunk.extend(values)
            rows_in_chunk += 1
            if rows_in_chunk == per:
                raw.execute(full, chunk)
                chunk, rows_in_chunk = [], 0
        if rows_in_chunk:
            raw.execute(insert + ", ".join(group for _ in range(rows_in_chunk)), chunk)
    return count


#: Rows per SQLite ``INSERT … VALUES (…), (…)`` statement. Many rows per *statement*, not one
#: statement per row as ``executemany`` runs: FTS5 flushes its pending terms at every
#: statement a trigger writes through (the search index's ``portal_search_ai``), so one row
#: per statement wrote one index segment per document and spent most of a load merging them.
_SQLITE_ROWS = 2000


def _sqlite_variables(raw: Any) -> int:
    """The connection's limit on ``?`` per statement (32,766 by default since 3.32)."""
    import sqlite3

    limit: int = raw.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return limit


@contextlib.contextmanager
def build_pragmas() -> Iterator[None]:
    """On SQLite, for a one-off build only (the demo): no fsync per commit and a larger page
    cache; the settings return to the project's own when the build ends. Nothing on
    PostgreSQL (its durability is not the demo's to change), nor inside a transaction
    (SQLite refuses it there, and a test's demo runs in one)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size")
        cache = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous = {int(synchronous)}")
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")


# --- the command -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoadResidents(Command):
    """Register a batch of new households at once, written as sets (bulk 최초 등록)."""

    permission = RegistryPermission.IMPORT
    households: list[HouseholdRow]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ResidentsLoaded(Event):
    """A batch of residents entered through the set-based path; the ids are the new rows'."""

    person_ids: list[int]
    household_ids: list[int]


PERSON_COLUMNS = (
    "id", "name", "rrn_ciphertext", "rrn_index", "birth_date", "sex", "jurisdiction_id",
    "registered_at",
)  # fmt: skip
HOUSEHOLD_COLUMNS = (
    "id", "head_id", "road_address", "address_detail", "jurisdiction_id", "formed_on",
)  # fmt: skip
MEMBER_COLUMNS = ("household_id", "person_id", "relationship", "joined_on")
RESIDENCE_COLUMNS = (
    "person_id", "household_id", "road_address", "address_detail", "jurisdiction_id",
    "moved_in_on", "reported_on", "reason", "command_id",
)  # fmt: skip


@handler(LoadResidents)
def load_residents(cmd: LoadResidents, *, ctx: Context) -> dict[str, Any]:
    units, parsed = check(cmd.households, ctx)
    person_ids = reserve_ids(Person, sum(len(m) for m in parsed))
    household_ids = reserve_ids(Household, len(cmd.households))
    groups: list[list[int]] = []
    at = 0
    for members in parsed:
        groups.append(person_ids[at : at + len(members)])
        at += len(members)
    rows = list(zip(cmd.households, household_ids, groups, parsed, strict=True))
    insert_rows(
        Person,
        PERSON_COLUMNS,
        (
            (pid, member.name.strip(), member.sealed_rrn.blob(), member.sealed_rrn.index,
             number.birth_date, number.sex, units[row.address_code].pk, ctx.recorded_at)
            for row, _, group, members in rows
            for pid, (member, number) in zip(group, members, strict=True)
        ),
    )  # fmt: skip
    insert_rows(
        Household,
        HOUSEHOLD_COLUMNS,
        (
            (hid, group[0], row.road_address, row.address_detail, units[row.address_code].pk,
             row.moved_in_on)
            for row, hid, group, _ in rows
        ),
    )  # fmt: skip
    insert_rows(
        HouseholdMember,
        MEMBER_COLUMNS,
        (
            (hid, pid, member.relationship, row.moved_in_on)
            for row, hid, group, members in rows
            for pid, (member, _) in zip(group, members, strict=True)
        ),
    )
    command_id = ctx.command.command_id
    insert_rows(
        ResidenceModel,
        RESIDENCE_COLUMNS,
        (
            (pid, hid, row.road_address, row.address_detail, units[row.address_code].pk,
             row.moved_in_on, row.moved_in_on, ResidenceReason.REGISTRATION.value, command_id)
            for row, hid, group, _ in rows
            for pid in group
        ),
    )  # fmt: skip
    ctx.emit(ResidentsLoaded(person_ids=person_ids, household_ids=household_ids))
    return {
        "persons": len(person_ids),
        "households": [{"household_id": hid, "person_ids": group} for _, hid, group, _ in rows],
    }


# --- the search read model of the loaded rows ------------------------------------------------

DOCUMENT_COLUMNS = (
    "kind", "entity_id", "jurisdiction_path", "permission", "title", "details", "key1", "key2",
    "key3", "tokens",
)  # fmt: skip


def write_documents(docs: Iterable[Any]) -> int:
    """Write freshly built ``SearchDocument`` instances (of records that had none) as a set."""
    from minwon.portal.models import SearchDocument

    return insert_rows(
        SearchDocument,
        DOCUMENT_COLUMNS,
        (
            (d.kind, d.entity_id, d.jurisdiction_path, d.permission, d.title, d.details,
             d.key1, d.key2, d.key3, d.tokens)
            for d in docs
        ),
    )  # fmt: skip


@subscriber(ResidentsLoaded)
def index_loaded(event: ResidentsLoaded, *, ctx: Context) -> None:
    """The new persons' and households' search documents, by the builders ``minwon search
    rebuild`` uses, in the command's transaction (new records: nothing to replace)."""
    from minwon.portal import index

    from . import snapshot

    write_documents(index.persons(event.person_ids))
    write_documents(index.households(event.household_ids))
    snapshot.write_new(event.household_ids)

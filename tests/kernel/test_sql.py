"""kernel.sql's fast value preparation gives exactly what each field's own
``get_db_prep_save`` gives (the ORM's stored form), for the kinds of values rows hold."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.db import connection

from minwon.kernel import clock, sql
from minwon.kernel.models import AccessLog, CommandRecord, DeclaredHoliday, OutboxDelivery

CASES: list[tuple[Any, str, Any]] = [
    (CommandRecord, "result", None),  # JSONField: None is JSON null, not SQL NULL
    (CommandRecord, "result", {"a": [1, "둘"]}),
    (CommandRecord, "result", "text"),
    (CommandRecord, "command_id", uuid.UUID(int=7)),
    (CommandRecord, "name", "SubmitApplication"),
    (CommandRecord, "occurred_at", clock.now()),
    (AccessLog, "subject_id", "12"),
    (AccessLog, "jurisdiction", None),
    (OutboxDelivery, "attempts", 3),
    (OutboxDelivery, "attempts", True),  # a bool is not an int here: the field decides
    (OutboxDelivery, "event", 5),  # a foreign key's id
    (OutboxDelivery, "event", None),
    (DeclaredHoliday, "date", date(2026, 12, 31)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "name", "value"), CASES)
def test_prepare_equals_the_fields_own_preparation(model: Any, name: str, value: Any) -> None:
    field = model._meta.get_field(name)
    expected = field.get_db_prep_save(value, connection)
    (got,) = sql.prepare([sql.preparer(field, connection)], [value], connection)
    assert type(got) is type(expected)
    assert _plain(got) == _plain(expected)


def _plain(value: Any) -> Any:
    """psycopg's JSON wrapper (PostgreSQL) has no equality of its own: compare its object."""
    return getattr(value, "obj", value)


@pytest.mark.django_db
def test_get_by_key_equals_the_querysets_instance() -> None:
    """``sql.get`` gives what ``filter(pk=…).first()`` gives (every field through the ORM's
    converters: JSON, datetimes, UUIDs), and None for an absent key."""
    at = clock.now()
    CommandRecord.objects.create(
        command_id=uuid.UUID(int=11), name="N", digest="d", payload={"a": [1, "둘"]},
        result=None, actor="a", channel="online", jurisdiction="5113000000",
        occurred_at=at, recorded_at=at,
    )  # fmt: skip
    got = sql.get(CommandRecord, uuid.UUID(int=11))
    expected = CommandRecord.objects.filter(pk=uuid.UUID(int=11)).first()
    fields = [f.attname for f in CommandRecord._meta.concrete_fields]
    assert [getattr(got, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert got.payload == {"a": [1, "둘"]} and got.occurred_at == at
    assert sql.get(CommandRecord, uuid.UUID(int=12)) is None

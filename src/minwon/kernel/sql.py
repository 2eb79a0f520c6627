"""Precompiled statements for the kernel's own bookkeeping rows.

Every command writes a command record, an audit row and usually an outbox row; building
those statements through the ORM's compiler cost more than the database work itself (a
profile of ``execute()`` showed SQL compilation dominating). The kernel owns these tables,
so it writes them with statements built once per model and vendor, converting each value
with the model field's own ``get_db_prep_save`` so the stored form is exactly the ORM's.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models


class Insert:
    """``INSERT INTO <table> (<fields>) VALUES (...) [RETURNING id]`` for one model."""

    def __init__(
        self, model: type[models.Model], fields: tuple[str, ...], *, returning_id: bool = False
    ) -> None:
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self.returning_id = returning_id
        self._sql: dict[str, str] = {}

    def sql(self) -> str:
        vendor = connection.vendor
        text = self._sql.get(vendor)
        if text is None:
            qn = connection.ops.quote_name
            columns = ", ".join(qn(str(f.column)) for f in self.fields)  # type: ignore[union-attr]
            marks = ", ".join(["%s"] * len(self.fields))
            # Names come from the model's own metadata, never from input.
            text = f"INSERT INTO {qn(self.model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
            if self.returning_id:
                text += f" RETURNING {qn(str(self.model._meta.pk.column))}"  # type: ignore[union-attr]
            self._sql[vendor] = text
        return text

    def __call__(self, *values: Any) -> Any:
        params = [
            field.get_db_prep_save(value, connection)  # type: ignore[union-attr]
            for field, value in zip(self.fields, values, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql(), params)
            if self.returning_id:
                return cursor.fetchone()[0]
        return None


def prep(model: type[models.Model], field: str, value: Any) -> Any:
    """A value in the database's form for ``model.field`` (for WHERE clauses)."""
    return model._meta.get_field(field).get_db_prep_save(value, connection)  # type: ignore[union-attr]


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)

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


class Select:
    """A read of fixed shape for a hot path: hand-written SQL (double-quoted identifiers,
    ``%s`` placeholders) and the model fields its columns hold, in order. Each value goes
    through the same converters the ORM's compiler applies for that field and vendor
    (SQLite datetimes and booleans, JSON), so rows hold exactly what a queryset would give —
    without building and compiling a query per request."""

    def __init__(self, text: str, fields: list[Any]) -> None:
        self.text = text
        self.fields = fields
        self._converters: dict[str, list[list[Any]]] = {}

    def _for(self) -> list[list[Any]]:
        vendor = connection.vendor
        found = self._converters.get(vendor)
        if found is None:
            found = []
            for field in self.fields:
                col = field.cached_col
                found.append(
                    connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                )
            self._converters[vendor] = found
        return found

    def rows(self, *params: Any) -> list[tuple[Any, ...]]:
        converters = self._for()
        with connection.cursor() as cursor:
            cursor.execute(self.text, list(params))
            raw = cursor.fetchall()
        if not any(converters):
            return [tuple(r) for r in raw]
        out = []
        for r in raw:
            values = list(r)
            for i, chain in enumerate(converters):
                for fn in chain:
                    values[i] = fn(values[i], self.fields[i].cached_col, connection)
            out.append(tuple(values))
        return out


def instances(
    model: type[models.Model], names: list[str], rows: list[tuple[Any, ...]]
) -> list[Any]:
    """Model instances from rows holding the attributes ``names`` (``Model.from_db``, as
    the ORM builds them; unlisted fields are deferred)."""
    return [model.from_db(connection.alias, names, row) for row in rows]


_creates: dict[tuple[type[models.Model], str], tuple[str, list[Any]]] = {}


def create(obj: models.Model) -> models.Model:
    """Insert ``obj`` as ``obj.save(force_insert=True)`` would for a new row (``pre_save``
    hooks such as ``auto_now_add`` and each field's own database form; an automatic primary
    key comes back through RETURNING, an explicit one must be set), with the statement
    built once per model. For the few hot models whose rows are written on every request;
    models with signals, database defaults or generated fields do not use it."""
    model = type(obj)
    key = (model, connection.vendor)
    found = _creates.get(key)
    if found is None:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        if any(f.generated or f.has_db_default() for f in fields):
            raise TypeError(f"{model.__name__} needs Model.save()")
        qn = connection.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        text = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        if meta.auto_field is not None:
            text += f" RETURNING {qn(str(meta.auto_field.column))}"
        found = _creates[key] = (text, fields)
    text, fields = found
    if type(obj)._meta.auto_field is None and obj.pk is None:
        raise ValueError(f"{model.__name__} needs its primary key before insertion")
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        if type(obj)._meta.auto_field is not None:
            obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj

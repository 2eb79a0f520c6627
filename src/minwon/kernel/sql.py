"""Precompiled statements for the kernel's own bookkeeping rows.

Every command writes a command record, an audit row and usually an outbox row; building
those statements through the ORM's compiler cost more than the database work itself (a
profile of ``execute()`` showed SQL compilation dominating). The kernel owns these tables,
so it writes them with statements built once per model and vendor, converting each value
with the model field's own ``get_db_prep_save`` so the stored form is exactly the ORM's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

#: Fields whose database form is the Python value itself when the value already has the
#: field's own type (``get_db_prep_save`` would only call ``to_python``/``int``/``str`` on it).
#: Exact classes only: a subclass may override its preparation.
_PASSTHROUGH: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
    models.BooleanField: bool,
}

Preparer = tuple[type | None, Callable[[Any, Any], Any]]


_PROBES: dict[type, Any] = {str: "probe", int: 7, bool: True}


def preparer(field: Any, conn: Any) -> Preparer:
    """How to put a value for ``field`` into its database form on ``conn``: ``(passthrough
    type, field.get_db_prep_save)``. A value of exactly the passthrough type (or None) is
    already in database form; anything else goes through the field's own preparation. The
    passthrough holds only where the backend gives the value back unchanged (with
    server-side binding, PostgreSQL's backend wraps integers in typed ``Int4``)."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    kind = _PASSTHROUGH.get(type(target))
    if kind is not None:
        probe = _PROBES[kind]
        prepared = field.get_db_prep_save(probe, conn)
        if type(prepared) is not kind or prepared != probe:
            kind = None
    return kind, field.get_db_prep_save


def prepare(preparers: Sequence[Preparer], values: Sequence[Any], conn: Any) -> list[Any]:
    """``[field.get_db_prep_save(value, conn) ...]`` without the field machinery for values
    that are already in database form (most of a row's strings and numbers). None passes
    through only for the passthrough fields: a JSONField stores None as JSON ``null``."""
    return [
        value if kind is not None and (value is None or type(value) is kind) else slow(value, conn)
        for (kind, slow), value in zip(preparers, values, strict=True)
    ]


def _db() -> Any:
    """The default connection itself: one look-up instead of one per attribute access
    through the ``django.db.connection`` proxy."""
    return connections[DEFAULT_DB_ALIAS]


class Insert:
    """``INSERT INTO <table> (<fields>) VALUES (...) [RETURNING id]`` for one model."""

    def __init__(
        self, model: type[models.Model], fields: tuple[str, ...], *, returning_id: bool = False
    ) -> None:
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self._preparers: dict[str, list[Preparer]] = {}
        self.returning_id = returning_id
        self._sql: dict[str, str] = {}

    def preparers(self, conn: Any) -> list[Preparer]:
        found = self._preparers.get(conn.vendor)
        if found is None:
            found = self._preparers[conn.vendor] = [preparer(f, conn) for f in self.fields]
        return found

    def sql(self, conn: Any = None) -> str:
        conn = conn or _db()
        vendor = conn.vendor
        text = self._sql.get(vendor)
        if text is None:
            qn = conn.ops.quote_name
            columns = ", ".join(qn(str(f.column)) for f in self.fields)  # type: ignore[union-attr]
            marks = ", ".join(["%s"] * len(self.fields))
            # Names come from the model's own metadata, never from input.
            text = f"INSERT INTO {qn(self.model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
            if self.returning_id:
                text += f" RETURNING {qn(str(self.model._meta.pk.column))}"  # type: ignore[union-attr]
            self._sql[vendor] = text
        return text

    def __call__(self, *values: Any) -> Any:
        conn = _db()
        params = prepare(self.preparers(conn), values, conn)
        with conn.cursor() as cursor:
            cursor.execute(self.sql(conn), params)
            if self.returning_id:
                return cursor.fetchone()[0]
        return None

    def and_then(self, values: Sequence[Any], statement: str, params: Sequence[Any]) -> None:
        """This insert of ``values``, then ``statement`` (which must not depend on the new
        row): one round trip on PostgreSQL (``WITH _row AS (INSERT …) <statement>``), two
        statements elsewhere (SQLite has no data-modifying WITH)."""
        conn = _db()
        row = prepare(self.preparers(conn), values, conn)
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql" and not self.returning_id:
                cursor.execute(f"WITH _row AS ({self.sql(conn)}) {statement}", [*row, *params])
            else:
                cursor.execute(self.sql(conn), row)
                cursor.execute(statement, list(params))

    #: Rows per statement in ``many``: far below SQLite's and PostgreSQL's parameter limits.
    MANY_CHUNK = 500

    def rows_sql(self, conn: Any, rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
        """One multi-row ``INSERT … VALUES (…), (…) [RETURNING id]`` of ``rows`` and its
        parameters in the database's form."""
        one = self.sql(conn)
        if self.returning_id:
            one, returning = one.split(" RETURNING ")
        marks = one[one.index(" VALUES ") + len(" VALUES ") :]
        text = one + (", " + marks) * (len(rows) - 1)
        if self.returning_id:
            text += f" RETURNING {returning}"
        preparers = self.preparers(conn)
        return text, [v for row in rows for v in prepare(preparers, row, conn)]

    def many(self, rows: Sequence[Sequence[Any]]) -> None:
        """Insert ``rows`` (each the values of the fields, in order) with one multi-row
        ``INSERT … VALUES (…), (…)`` per ``MANY_CHUNK`` rows (no ids come back)."""
        if self.returning_id:
            raise TypeError("many() returns no ids")
        conn = _db()
        for at in range(0, len(rows), self.MANY_CHUNK):
            text, params = self.rows_sql(conn, rows[at : at + self.MANY_CHUNK])
            with conn.cursor() as cursor:
                cursor.execute(text, params)

    def ids(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """Insert ``rows`` with one multi-row statement per ``MANY_CHUNK`` rows and return
        their ids in the order of ``rows`` (both databases return a multi-row insert's rows
        in the order of its VALUES, which ``bulk_create`` relies on too)."""
        if not self.returning_id:
            raise TypeError("ids() needs returning_id")
        conn = _db()
        out: list[Any] = []
        for at in range(0, len(rows), self.MANY_CHUNK):
            text, params = self.rows_sql(conn, rows[at : at + self.MANY_CHUNK])
            with conn.cursor() as cursor:
                cursor.execute(text, params)
                out += [r[0] for r in cursor.fetchall()]
        return out


Rows = Sequence[Sequence[Any]]


def send(
    parts: Sequence[tuple[Insert, Rows]], then: str | None = None, params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """Insert each part's rows (no ids back), then run ``then`` (which must not read the
    new rows) and return its rows: one round trip on PostgreSQL, every insert a
    data-modifying ``WITH`` of the last statement, which PostgreSQL runs to completion
    whether or not the statement reads it; one statement each on SQLite, which has no
    data-modifying ``WITH``. Parts larger than ``Insert.MANY_CHUNK`` go first on their own."""
    conn = _db()
    parts = [(ins, rows) for ins, rows in parts if rows]
    if conn.vendor != "postgresql":
        for ins, rows in parts:
            ins.many(rows)
        return _run(conn, then, params) if then is not None else []
    for ins, rows in parts:
        if len(rows) > Insert.MANY_CHUNK:
            ins.many(rows)
    parts = [(ins, rows) for ins, rows in parts if len(rows) <= Insert.MANY_CHUNK]
    if then is None:
        if not parts:
            return []
        *parts, (last, rows) = parts
        then, params = last.rows_sql(conn, rows)
    clauses, values = [], []
    for n, (ins, rows) in enumerate(parts):
        if ins.returning_id:
            raise TypeError("send() returns no ids of its inserts")
        text, row_params = ins.rows_sql(conn, rows)
        clauses.append(f"_w{n} AS ({text})")
        values += row_params
    if clauses:
        then = f"WITH {', '.join(clauses)} {then}"
    return _run(conn, then, [*values, *params])


def _run(conn: Any, text: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with conn.cursor() as cursor:
        cursor.execute(text, list(params))
        return cursor.fetchall() if cursor.description is not None else []


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
        self._converters: dict[str, list[tuple[int, Any, Any]]] = {}

    def _for(self, conn: Any) -> list[tuple[int, Any, Any]]:
        """``(column index, converter, column)`` for every converter, in application order."""
        vendor = conn.vendor
        found = self._converters.get(vendor)
        if found is None:
            found = []
            for i, field in enumerate(self.fields):
                col = field.cached_col
                for fn in conn.ops.get_db_converters(col) + col.get_db_converters(conn):
                    found.append((i, fn, col))
            self._converters[vendor] = found
        return found

    def rows(self, *params: Any) -> list[tuple[Any, ...]]:
        conn = _db()
        converters = self._for(conn)
        with conn.cursor() as cursor:
            cursor.execute(self.text, list(params))
            raw = cursor.fetchall()
        if not converters:
            return [tuple(r) for r in raw]
        out = []
        for r in raw:
            values = list(r)
            for i, fn, col in converters:
                values[i] = fn(values[i], col, conn)
            out.append(tuple(values))
        return out


def instances(
    model: type[models.Model], names: list[str], rows: list[tuple[Any, ...]]
) -> list[Any]:
    """Model instances from rows holding the attributes ``names`` (``Model.from_db``, as
    the ORM builds them; unlisted fields are deferred)."""
    return [model.from_db(connection.alias, names, row) for row in rows]


_creates: dict[
    tuple[type[models.Model], str], tuple[str, list[Any], list[Any], list[Preparer]]
] = {}


def _plain_pre_save(field: Any) -> bool:
    """Whether ``field.pre_save(obj, add=True)`` is just the attribute's value."""
    if isinstance(field, models.DateField):
        return not (field.auto_now or field.auto_now_add)
    return type(field).pre_save is models.Field.pre_save


def create(obj: models.Model) -> models.Model:
    """Insert ``obj`` as ``obj.save(force_insert=True)`` would for a new row (``pre_save``
    hooks such as ``auto_now_add`` and each field's own database form; an automatic primary
    key comes back through RETURNING, an explicit one must be set), with the statement
    built once per model. For the few hot models whose rows are written on every request;
    models with signals, database defaults or generated fields do not use it."""
    model = type(obj)
    conn = _db()
    key = (model, conn.vendor)
    found = _creates.get(key)
    if found is None:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        if any(f.generated or f.has_db_default() for f in fields):
            raise TypeError(f"{model.__name__} needs Model.save()")
        qn = conn.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        text = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        if meta.auto_field is not None:
            text += f" RETURNING {qn(str(meta.auto_field.column))}"
        # attname for a plain read, the field itself where ``pre_save`` does work
        getters = [f.attname if _plain_pre_save(f) else f for f in fields]
        found = _creates[key] = (text, fields, getters, [preparer(f, conn) for f in fields])
    text, fields, getters, preparers = found
    auto = model._meta.auto_field is not None
    if not auto and obj.pk is None:
        raise ValueError(f"{model.__name__} needs its primary key before insertion")
    values = [getattr(obj, g) if isinstance(g, str) else g.pre_save(obj, True) for g in getters]
    with conn.cursor() as cursor:
        cursor.execute(text, prepare(preparers, values, conn))
        if auto:
            obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = conn.alias
    return obj


_gets: dict[tuple[type[models.Model], str], Select] = {}


def get(model: type[models.Model], key: Any) -> Any:
    """``model.objects.filter(pk=key).first()`` from a statement built once per model and
    vendor out of the model's own metadata (every concrete field, the ORM's converters),
    for read models read by key on hot public paths, where compiling a query per request
    costs more than the read."""
    conn = _db()
    meta = model._meta
    found = _gets.get((model, conn.vendor))
    if found is None:
        fields = list(meta.concrete_fields)
        qn = conn.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in fields)
        text = f"SELECT {columns} FROM {qn(meta.db_table)} WHERE {qn(str(meta.pk.column))} = %s"  # type: ignore[union-attr]  # noqa: S608
        found = _gets[(model, conn.vendor)] = Select(text, fields)
    rows = found.rows(meta.pk.get_db_prep_value(key, conn))  # type: ignore[union-attr]
    if not rows:
        return None
    return instances(model, [f.attname for f in found.fields], rows[:1])[0]

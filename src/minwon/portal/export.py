"""자동취합 consolidation: every recipient's current answer in one spreadsheet, streamed.

The workbook is written in openpyxl's write-only mode (rows go to disk as they are made, so
memory stays flat however many answers there are), one pass over the answers:

- 응답: one row per recipient — office, form version, answer version, who and when, whether
  it came late, which values were kept from the prefill — and every field any version of
  the form has had (an answer to an older version leaves the newer fields empty: nothing is
  dropped when the form changes); a 합계 row under the numeric fields;
- one sheet per repeat group (표 항목), one row per table row, with the same source columns
  and its own 합계 row;
- 이전 회차 비교: every value that differs from the same recipient's previous round.

The CSV is the 응답 sheet, streamed line by line (UTF-8 with a BOM, which Excel reads).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import IO, Any

from minwon.kernel import clock

from . import forms_def
from .models import Answer, Campaign

SOURCE_HEADERS = ["수신처", "기관코드", "부서", "양식 판", "응답 판", "작성자", "제출 일시",
                  "기한 후 제출", "입력 방식"]  # fmt: skip


def _join(known: forms_def.Field | None, f: forms_def.Field) -> forms_def.Field:
    """A field seen in two versions: the later label; a table keeps every column it had."""
    if known is None:
        return f
    if known.type != f.type:
        return known
    if f.type != "table":
        return f
    columns = {c.key: c for c in known.columns}
    for c in f.columns:
        columns[c.key] = c
    return dataclasses.replace(f, columns=tuple(columns.values()))


def layout(campaign: Campaign) -> tuple[list[forms_def.Field], list[forms_def.Field]]:
    """Every field of every version (the latest label wins), scalars and tables apart."""
    merged: dict[str, forms_def.Field] = {}
    for version in campaign.versions.order_by("number"):
        for f in forms_def.parse(version.definition):
            merged[f.key] = _join(merged.get(f.key), f)
    scalars = [f for f in merged.values() if f.type != "table"]
    tables = [f for f in merged.values() if f.type == "table"]
    return scalars, tables


def _heading(f: forms_def.Field) -> str:
    return f"{f.label} ({f.unit})" if f.unit else f.label


def _cell(f: forms_def.Field, value: Any) -> Any:
    if value is None:
        return None
    if f.type == "date":
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return value


_ROWS = (
    "recipient__jurisdiction_id", "recipient__jurisdiction__name", "recipient__department",
    "form_version__number", "number", "submitted_by_name", "submitted_at", "late", "prefilled",
    "data", "recipient_id",
)  # fmt: skip


def _answers(campaign: Campaign) -> Iterator[tuple[Any, ...]]:
    return (
        Answer.objects.filter(campaign=campaign, current=True)
        .order_by("recipient__jurisdiction_id", "recipient__department", "recipient_id")
        .values_list(*_ROWS)
        .iterator(chunk_size=2000)
    )


def _source(row: tuple[Any, ...], labels: dict[str, str]) -> list[Any]:
    code, name, dept, form_no, number, who, at, late, prefilled, _, _ = row
    kept = [labels.get(k, k) for k in prefilled]
    how = f"미리 채움: {', '.join(kept)}" if kept else "직접 입력"
    when = clock.local(at).replace(tzinfo=None)
    return [f"{name} {dept}".strip(), code, dept, form_no, number, who, when,
            "예" if late else "", how]  # fmt: skip


def _sheet_title(text: str, used: set[str]) -> str:
    base = "".join(ch for ch in text if ch not in "[]:*?/\\")[:28] or "표"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:25]}({n})", n + 1
    used.add(title)
    return title


class _Totals:
    def __init__(self, fields: list[forms_def.Field]) -> None:
        self.sums = {f.key: Decimal(0) for f in fields if f.numeric}

    def add(self, key: str, value: Any) -> None:
        if key in self.sums and isinstance(value, int | float):
            self.sums[key] += Decimal(str(value))

    def row(self, fields: list[forms_def.Field], lead: int) -> list[Any]:
        def total(f: forms_def.Field) -> Any:
            if f.key not in self.sums:
                return None
            value = self.sums[f.key]
            return int(value) if value == value.to_integral_value() else float(value)

        return ["합계", *([None] * (lead - 1)), *(total(f) for f in fields)]


def _previous(campaign: Campaign) -> dict[tuple[str, str], dict[str, Any]]:
    if campaign.previous_id is None:
        return {}
    rows = (
        Answer.objects.filter(campaign_id=campaign.previous_id, current=True)
        .values_list("recipient__jurisdiction_id", "recipient__department", "data")
        .iterator(chunk_size=2000)
    )
    return {(code, dept): data for code, dept, data in rows}


def write_xlsx(campaign: Campaign, out: IO[bytes]) -> int:
    """Write the workbook to ``out``; returns the number of answers written."""
    from openpyxl import Workbook

    scalars, tables = layout(campaign)
    labels = {f.key: f.label for f in [*scalars, *tables]}
    book = Workbook(write_only=True)
    used: set[str] = set()
    main = book.create_sheet(_sheet_title("응답", used))
    main.append([*SOURCE_HEADERS, *(_heading(f) for f in scalars)])
    groups = {}
    for t in tables:
        sheet = book.create_sheet(_sheet_title(t.label, used))
        sheet.append([*SOURCE_HEADERS, "행", *(_heading(c) for c in t.columns)])
        groups[t.key] = (t, sheet, _Totals(list(t.columns)))
    diffs = book.create_sheet(_sheet_title("이전 회차 비교", used))
    previous = _previous(campaign)
    diffs.append(["수신처", "기관코드", "부서", "항목", "이전 회차", "이번 회차", "증감"])
    if campaign.previous_id is None:
        diffs.append(["이전 회차가 지정되지 않았습니다."])
    totals = _Totals(scalars)
    count = 0
    for row in _answers(campaign):
        count += 1
        data = row[9]
        source = _source(row, labels)
        values = []
        for f in scalars:
            value = data.get(f.key)
            totals.add(f.key, value)
            values.append(_cell(f, value))
        main.append([*source, *values])
        for key, (t, sheet, table_totals) in groups.items():
            for n, line in enumerate(data.get(key) or [], 1):
                cells = []
                for c in t.columns:
                    table_totals.add(c.key, line.get(c.key))
                    cells.append(_cell(c, line.get(c.key)))
                sheet.append([*source, n, *cells])
        before = previous.get((row[0], row[2]))
        if before is not None:
            _differences(diffs, source, scalars, before, data)
    main.append(totals.row(scalars, len(SOURCE_HEADERS)))
    for t, sheet, table_totals in groups.values():
        sheet.append(table_totals.row(list(t.columns), len(SOURCE_HEADERS) + 1))
    book.save(out)
    return count


def _differences(
    sheet: Any, source: list[Any], fields: list[forms_def.Field], before: dict[str, Any],
    after: dict[str, Any],
) -> None:  # fmt: skip
    for f in fields:
        old, new = before.get(f.key), after.get(f.key)
        if old == new:
            continue
        change = None
        if isinstance(old, int | float) and isinstance(new, int | float):
            change = new - old
        sheet.append(
            [source[0], source[1], source[2], f.label, _cell(f, old), _cell(f, new), change]
        )


def xlsx_file(campaign: Campaign) -> IO[bytes]:
    """The workbook in an anonymous temporary file, rewound, for a streamed response."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    write_xlsx(campaign, handle)
    handle.seek(0)
    return handle


def csv_lines(campaign: Campaign) -> Iterator[str]:
    """The 응답 sheet as CSV lines, made as they are sent."""
    scalars, tables = layout(campaign)
    labels = {f.key: f.label for f in [*scalars, *tables]}
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield "\ufeff" + line([*SOURCE_HEADERS, *(_heading(f) for f in scalars)])
    totals = _Totals(scalars)
    for row in _answers(campaign):
        data = row[9]
        source = _source(row, labels)
        source[6] = source[6].strftime("%Y-%m-%d %H:%M")
        for f in scalars:
            totals.add(f.key, data.get(f.key))
        yield line(
            [*source, *("" if data.get(f.key) is None else data.get(f.key) for f in scalars)]
        )
    yield line(totals.row(scalars, len(SOURCE_HEADERS)))

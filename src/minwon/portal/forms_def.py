"""자동취합 forms: the definition a campaign's form version carries, and the checking of an
answer against it. Pure functions, shared by the commands, the answer page and the export.

A definition is JSON: ``{"fields": [...]}``; each field has a ``key`` (letters, digits,
``_``), a ``label`` (what people read) and a ``type``:

- ``text``; ``number`` with an optional ``unit`` (명, 건, 원); ``date`` (YYYY-MM-DD);
  ``choice`` with ``choices`` (a list of labels);
- ``table``: a repeat group (표), with ``columns`` — fields of the types above — and any
  number of rows.

``required`` (default false) applies to any field; ``register`` names a register the value
can be prefilled from, counted in the recipient's area: on a number field ``population``
(residents), ``permits`` (영업 신고 in business, every 업종) or ``permits:<업종>`` (one
업종, e.g. ``permits:general_restaurant``); on a table ``permits_by_kind`` (one row per 업종:
its name in the first text or choice column, its count in the first number column).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from minwon.kernel.errors import ValidationFailed
from minwon.licensing.models import PermitKind

SCALAR_TYPES = {"text", "number", "date", "choice"}
TYPES = SCALAR_TYPES | {"table"}
#: Registers a number field can be prefilled from (``collect.prefill``).
REGISTERS = {
    "population": "주민등록 인구",
    "permits": "영업 신고 건수(전체 업종)",
    **{f"permits:{kind.value}": f"영업 신고 건수: {kind.label}" for kind in PermitKind},
}
#: Registers a table can be prefilled from (one row per 업종).
TABLE_REGISTERS = {"permits_by_kind": "업종별 영업 신고 건수"}
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 60
MAX_ROWS = 500
MAX_TEXT = 2000


@dataclasses.dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    register: str = ""
    columns: tuple[Field, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.type == "number"


def _bad(ko: str, en: str) -> ValidationFailed:
    return ValidationFailed(ko, en, field="definition")


def _field(raw: Any, where: str, *, in_table: bool) -> Field:
    if not isinstance(raw, dict):
        raise _bad(f"양식의 {where} 항목이 올바르지 않습니다.", f"Form item {where} is malformed.")
    key = str(raw.get("key") or "")
    label = str(raw.get("label") or "").strip()
    kind = str(raw.get("type") or "")
    if not _KEY.match(key):
        raise _bad(
            f"양식의 {where} 항목의 키 '{key}'는 영문 소문자로 시작하는 영문·숫자·_ 40자 이내여야 합니다.",
            f"Form item {where}: the key '{key}' must be lowercase letters, digits or _.",
        )
    if not label or len(label) > 100:
        raise _bad(
            f"양식의 {where} 항목({key})에 100자 이내의 이름을 적으세요.",
            f"Form item {where} ({key}) needs a label of at most 100 characters.",
        )
    allowed = SCALAR_TYPES if in_table else TYPES
    if kind not in allowed:
        raise _bad(
            f"양식 항목 '{label}'의 종류 '{kind}'는 쓸 수 없습니다 ({', '.join(sorted(allowed))}).",
            f"Form item '{label}': type '{kind}' is not one of {sorted(allowed)}.",
        )
    choices = raw.get("choices") or []
    if kind == "choice" and (
        not isinstance(choices, list) or not choices or not all(str(c).strip() for c in choices)
    ):
        raise _bad(
            f"선택 항목 '{label}'에 고를 수 있는 값(choices)을 하나 이상 적으세요.",
            f"Choice item '{label}' needs at least one choice.",
        )
    register = str(raw.get("register") or "")
    allowed_registers = TABLE_REGISTERS if kind == "table" else REGISTERS
    if register and (register not in allowed_registers or kind not in ("number", "table")):
        raise _bad(
            f"항목 '{label}'의 연계 자료 '{register}'는 쓸 수 없습니다 "
            "(숫자 항목: population, permits, permits:업종 / 표: permits_by_kind).",
            f"Item '{label}': register '{register}' is unknown (number fields: population, "
            "permits, permits:<kind>; tables: permits_by_kind).",
        )
    columns: tuple[Field, ...] = ()
    if kind == "table":
        raw_columns = raw.get("columns")
        if not isinstance(raw_columns, list) or not raw_columns:
            raise _bad(
                f"표 항목 '{label}'에 열(columns)을 하나 이상 적으세요.",
                f"Table item '{label}' needs at least one column.",
            )
        columns = tuple(
            _field(c, f"'{label}'의 {n}번째 열", in_table=True)
            for n, c in enumerate(raw_columns, 1)
        )
        _unique(columns, f"표 '{label}'")
        if register and not (
            any(c.type in ("text", "choice") for c in columns)
            and any(c.type == "number" for c in columns)
        ):
            raise _bad(
                f"표 항목 '{label}'을(를) 업종별 건수로 채우려면 글자(또는 선택) 열과 숫자 열이 "
                "하나씩 있어야 합니다.",
                f"Table item '{label}' needs a text (or choice) column and a number column "
                "to be prefilled by permit kind.",
            )
    return Field(
        key=key, label=label, type=kind, unit=str(raw.get("unit") or "")[:20],
        choices=tuple(str(c).strip() for c in choices) if kind == "choice" else (),
        required=bool(raw.get("required")), register=register, columns=columns,
    )  # fmt: skip


def _unique(fields: tuple[Field, ...], where: str) -> None:
    seen: set[str] = set()
    for f in fields:
        if f.key in seen:
            raise _bad(
                f"{where}에 키 '{f.key}'가 두 번 있습니다.", f"{where}: key '{f.key}' repeats."
            )
        seen.add(f.key)


def parse(definition: Any) -> tuple[Field, ...]:
    """The fields of a definition, or ``ValidationFailed`` naming what is wrong."""
    raw = definition.get("fields") if isinstance(definition, dict) else None
    if not isinstance(raw, list) or not raw:
        raise _bad(
            '양식에 항목(fields)을 하나 이상 적으세요. 예: {"fields": [{"key": "a", ...}]}',
            "The form needs at least one item in 'fields'.",
        )
    if len(raw) > MAX_FIELDS:
        raise _bad(
            f"양식 항목은 {MAX_FIELDS}개까지입니다.", f"At most {MAX_FIELDS} items per form."
        )
    fields = tuple(_field(f, f"{n}번째", in_table=False) for n, f in enumerate(raw, 1))
    _unique(fields, "양식")
    return fields


def as_definition(fields: tuple[Field, ...]) -> dict[str, Any]:
    """The normalised definition stored with a form version."""

    def one(f: Field) -> dict[str, Any]:
        out: dict[str, Any] = {"key": f.key, "label": f.label, "type": f.type}
        if f.unit:
            out["unit"] = f.unit
        if f.choices:
            out["choices"] = list(f.choices)
        if f.required:
            out["required"] = True
        if f.register:
            out["register"] = f.register
        if f.columns:
            out["columns"] = [one(c) for c in f.columns]
        return out

    return {"fields": [one(f) for f in fields]}


# --- answers ------------------------------------------------------------------------------


def _invalid(label: str, ko: str, en: str, key: str) -> ValidationFailed:
    return ValidationFailed(f"'{label}': {ko}", f"'{label}': {en}", field=key)


def _value(f: Field, raw: Any, label: str, key: str) -> Any:
    """One value checked and normalised (None when empty)."""
    text = "" if raw is None else str(raw).strip()
    if text == "":
        if f.required:
            raise _invalid(label, "꼭 입력해야 합니다.", "is required.", key)
        return None
    if f.type == "number":
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or abs(number) >= Decimal("1e15"):
            raise _invalid(
                label, f"숫자를 입력하세요 (입력값: {text[:20]}).", "enter a number.", key
            )
        return int(number) if number == number.to_integral_value() else float(number)
    if f.type == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise _invalid(
                label, "날짜를 2026-03-01 형식으로 입력하세요.", "enter a date (YYYY-MM-DD).", key
            ) from None
    if f.type == "choice":
        if text not in f.choices:
            raise _invalid(
                label,
                f"다음 중 하나를 고르세요: {', '.join(f.choices)}.",
                f"choose one of {list(f.choices)}.",
                key,
            )
        return text
    if len(text) > MAX_TEXT:
        raise _invalid(
            label, f"{MAX_TEXT}자 이내로 적으세요.", f"at most {MAX_TEXT} characters.", key
        )
    return text


def validate(fields: tuple[Field, ...], data: Any) -> dict[str, Any]:
    """An answer checked against the form: every value normalised, or ``ValidationFailed``
    naming the field (and the row of a table) in words a person reads."""
    if not isinstance(data, dict):
        raise ValidationFailed("응답 형식이 올바르지 않습니다.", "Malformed answer.", field="data")
    out: dict[str, Any] = {}
    for f in fields:
        if f.type != "table":
            out[f.key] = _value(f, data.get(f.key), f.label, f.key)
            continue
        rows = data.get(f.key) or []
        if not isinstance(rows, list) or len(rows) > MAX_ROWS:
            raise _invalid(
                f.label, f"표는 {MAX_ROWS}행까지입니다.", f"at most {MAX_ROWS} rows.", f.key
            )
        kept = []
        for n, row in enumerate(rows, 1):
            if not isinstance(row, dict) or not any(
                str(v).strip() for v in row.values() if v is not None
            ):
                continue
            kept.append(
                {
                    c.key: _value(
                        c, row.get(c.key), f"{f.label} {n}행 {c.label}", f"{f.key}.{n}.{c.key}"
                    )
                    for c in f.columns
                }
            )
        if f.required and not kept:
            raise _invalid(f.label, "한 행 이상 입력해야 합니다.", "needs at least one row.", f.key)
        out[f.key] = kept
    return out

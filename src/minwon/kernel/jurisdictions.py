"""Administrative divisions: reading the shipped code list, resolving codes (including
retired ones) and answering "is this inside that?" for scope checks (DESIGN §3.6)."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from minwon.config.paths import PACKAGE_DIR
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.models import Jurisdiction
from minwon.kernel.types import NATION

DATA_FILE = PACKAGE_DIR / "data" / "jurisdictions.csv"
FIELDS = ["code", "name", "level", "parent_code", "valid_from", "valid_to", "successor_code"]


def read_csv(path: Path = DATA_FILE) -> list[dict[str, str]]:
    """Rows of the code list file, validated for shape (not yet for references)."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != FIELDS:
            raise ValueError(f"{path}: header must be {','.join(FIELDS)}")
        rows = []
        for n, row in enumerate(reader, start=2):
            code = row["code"].strip()
            if len(code) != 10 or not code.isdigit():
                raise ValueError(f"{path}:{n}: code {code!r} is not 10 digits")
            rows.append({k: (row[k] or "").strip() for k in FIELDS})
    return rows


def build_paths(rows: Iterable[dict[str, str]]) -> dict[str, str]:
    """Materialised path for every code: the nation, then each ancestor, then itself."""
    parents = {r["code"]: r["parent_code"] for r in rows}

    @functools.cache
    def path_of(code: str) -> str:
        parent = parents.get(code) or ""
        if not parent:
            return f"{NATION}/{code}/"
        if parent not in parents:
            raise ValueError(f"parent {parent} of {code} is not in the list")
        return f"{path_of(parent)}{code}/"

    return {code: path_of(code) for code in parents}


def get(code: str, *, field: str = "jurisdiction") -> Jurisdiction:
    """The jurisdiction with ``code`` or a 400 naming the field."""
    try:
        return Jurisdiction.objects.get(pk=code)
    except Jurisdiction.DoesNotExist:
        raise ValidationFailed(
            f"행정구역 코드 {code}을(를) 찾을 수 없습니다.",
            f"Unknown administrative division code {code}.",
            field=field,
            code="unknown_jurisdiction",
        ) from None


def current(code: str, *, on: date | None = None, field: str = "jurisdiction") -> Jurisdiction:
    """Follow successors from a possibly retired code to the one in force ``on`` (today)."""
    unit = get(code, field=field)
    seen = set()
    while unit.valid_to is not None and (on is None or unit.valid_to < on) and unit.successor_id:
        if unit.code in seen:
            break
        seen.add(unit.code)
        unit = unit.successor  # type: ignore[assignment]
    return unit


@functools.lru_cache(maxsize=8192)
def path_of(code: str) -> str:
    """Cached path of a code (codes and their ancestry never change once loaded)."""
    if code == NATION:
        return f"{NATION}/"
    path = Jurisdiction.objects.filter(pk=code).values_list("path", flat=True).first()
    if path is None:
        # An unknown code is inside nothing but itself.
        return f"?{code}/"
    return path


def contains(scope_code: str, target_code: str) -> bool:
    """Is ``target_code`` inside (or equal to) ``scope_code``'s subtree?"""
    return path_of(target_code).startswith(path_of(scope_code))


def sigungu_of(code: str) -> str:
    """The 시·군·구 (or 시·도 for a 시·도 code) that ``code`` belongs to."""
    parts = [p for p in path_of(code).split("/") if p and p != NATION and not p.startswith("?")]
    levels = dict(Jurisdiction.objects.filter(pk__in=parts).values_list("code", "level"))
    chosen = parts[0] if parts else code
    for part in parts:
        if levels.get(part) == Jurisdiction.Level.SIGUNGU:
            chosen = part
    return chosen


def clear_cache() -> None:
    path_of.cache_clear()

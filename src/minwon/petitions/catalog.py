"""The petition-type catalog file (``minwon/data/petition_types.json``): reading and
validating it. Loading it into the database is the ``LoadPetitionCatalog`` command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from minwon.config.paths import PACKAGE_DIR
from minwon.petitions import deadlines, rules

DATA_FILE = PACKAGE_DIR / "data" / "petition_types.json"
CHANNELS = ("online", "counter", "mail", "kiosk")
SOURCES = ("lookup", "applicant")
FIELD_KINDS = ("text", "number", "choice")


def read(path: Path = DATA_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def validate_type(row: dict[str, Any]) -> list[str]:
    """Problems with one catalog row (empty when it is sound)."""
    problems = []
    code = str(row.get("code", ""))
    if not code or len(code) > 40:
        problems.append("code must be 1-40 characters")
    for key in ("name", "legal_basis", "department"):
        if not str(row.get(key, "")).strip():
            problems.append(f"{key} is required")
    try:
        deadlines.parse_period(str(row.get("period", "")))
    except ValueError:
        problems.append(f"period {row.get('period')!r} is not 즉시/Nh/Nd/Nw/Nm/Ny")
    fee = row.get("fee", 0)
    if not isinstance(fee, int) or fee < 0:
        problems.append("fee must be a non-negative integer (won)")
    channels = row.get("channels") or []
    if not channels or any(c not in CHANNELS for c in channels):
        problems.append(f"channels must be a non-empty subset of {CHANNELS}")
    for doc in row.get("documents") or []:
        if not str(doc.get("name", "")).strip() or doc.get("source") not in SOURCES:
            problems.append(f"document {doc!r} needs a name and source lookup|applicant")
        if not isinstance(doc.get("later", False), bool):
            problems.append(
                f"document {doc!r}: later (may be handed in at the counter) is true or false"
            )
    for field in row.get("fields") or []:
        if not field.get("name") or field.get("kind") not in FIELD_KINDS:
            problems.append(f"field {field!r} needs a name and kind {FIELD_KINDS}")
    if not isinstance(row.get("sensitive", False), bool):
        problems.append("sensitive must be true or false")
    rule = row.get("auto_rule") or ""
    if rule and rule not in rules.RULES:
        problems.append(f"auto_rule {rule!r} is not a known rule")
    line = row.get("approval_line") or []
    if not isinstance(line, list) or any(role not in APPROVER_ROLES for role in line):
        problems.append(f"approval_line must list roles of {sorted(APPROVER_ROLES)}")
    return problems


#: Roles that can stand on a 결재선 (they hold ``petitions.approve``).
APPROVER_ROLES = frozenset({"department_head"})

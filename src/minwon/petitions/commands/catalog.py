"""Loading the catalog of petition types (민원 사무 목록)."""

from __future__ import annotations

import dataclasses
from typing import Any

from minwon.kernel.bus import Context
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command
from minwon.petitions import catalog
from minwon.petitions.models import PetitionType
from minwon.petitions.permissions import PetitionsPermission

FIELDS = (
    "name", "name_en", "category", "legal_basis", "period", "fee", "fee_note", "channels",
    "documents", "fields", "department", "auto_rule", "source", "approval_line",
    "sensitive",
)  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoadPetitionCatalog(Command):
    """Create or update petition types from the catalog file (an administrator edits the
    file and loads it; the admin site shows the result read-only). Types missing from the
    file are deactivated, never deleted: petitions keep pointing at them."""

    permission = PetitionsPermission.CATALOG
    version: str
    types: list[dict[str, Any]]


def _default(name: str) -> Any:
    field = PetitionType._meta.get_field(name)
    return field.get_default() if hasattr(field, "get_default") else None


@handler(LoadPetitionCatalog)
def load_petition_catalog(cmd: LoadPetitionCatalog, *, ctx: Context) -> dict[str, Any]:
    seen: set[str] = set()
    for n, row in enumerate(cmd.types):
        problems = catalog.validate_type(row)
        if row.get("code") in seen:
            problems.append("duplicate code")
        if problems:
            raise ValidationFailed(
                f"민원 사무 목록 {n + 1}번째 항목이 올바르지 않습니다: {'; '.join(problems)}",
                f"Catalog entry {n + 1} is invalid: {'; '.join(problems)}",
                field=f"types[{n}]",
            )
        seen.add(row["code"])
    created = updated = 0
    existing = {t.code: t for t in PetitionType.objects.all()}
    for row in cmd.types:
        values: dict[str, Any] = {k: row.get(k, _default(k)) for k in FIELDS}
        values["fields"] = row.get("fields") or []
        values["auto_rule"] = row.get("auto_rule") or ""
        values["approval_line"] = row.get("approval_line") or []
        values.update(active=True, catalog_version=cmd.version)
        current = existing.get(row["code"])
        if current is None:
            PetitionType.objects.create(code=row["code"], **values)
            created += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            PetitionType.objects.filter(pk=row["code"]).update(**values)
            updated += 1
    retired = PetitionType.objects.exclude(code__in=seen).filter(active=True).update(active=False)
    return {"created": created, "updated": updated, "retired": retired, "total": len(seen)}

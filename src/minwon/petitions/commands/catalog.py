"""Loading the catalog of petition types (민원 사무 목록)."""

from __future__ import annotations

import dataclasses
from typing import Any

from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.registry import handler, register_event
from minwon.kernel.types import Command, Event
from minwon.petitions import catalog, deadlines
from minwon.petitions.models import PetitionType, PetitionTypeVersion
from minwon.petitions.permissions import PetitionsPermission

FIELDS = (
    "name", "name_en", "category", "legal_basis", "period", "fee", "fee_note", "channels",
    "documents", "fields", "department", "auto_rule", "source", "approval_line",
    "sensitive",
)  # fmt: skip


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PetitionTypesChanged(Event):
    """Types whose name changed in a catalog load: the public tracking rows that show
    petitions of them are written anew."""

    codes: list[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoadPetitionCatalog(Command):
    """Create or update petition types from the catalog file (the initial settings; later
    changes of one type are published as versions on the 민원 사무 관리 page,
    ``PublishPetitionTypeVersion``). Types missing from the file are deactivated, never
    deleted: petitions keep pointing at them."""

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
    renamed: list[str] = []
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
            if current.name != values["name"]:
                renamed.append(current.code)
            _loaded_as_version(current, values, cmd, ctx)
    retired = PetitionType.objects.exclude(code__in=seen).filter(active=True).update(active=False)
    if renamed:
        ctx.emit(PetitionTypesChanged(codes=renamed))
    return {"created": created, "updated": updated, "retired": retired, "total": len(seen)}


def _loaded_as_version(
    ptype: PetitionType, values: dict[str, Any], cmd: LoadPetitionCatalog, ctx: Context
) -> None:
    """A type already published in versions that the file changes gets the file's settings
    as its next version, so that no change escapes the history."""
    latest = ptype.versions.order_by("-number").values_list("number", flat=True).first()
    if latest is None:
        return
    settings = {k: values[k] for k in FIELDS}
    if settings == ptype.versions.get(number=latest).settings:
        return
    PetitionTypeVersion.objects.create(
        type=ptype, number=latest + 1, settings=settings,
        note=f"민원 사무 목록 {cmd.version} 적재", published_at=ctx.recorded_at,
        published_by=str(ctx.actor), command_id=ctx.command.command_id,
    )  # fmt: skip


#: The settings an administrator publishes as a new version (the rest comes from the file).
PUBLISHED = ("period", "fee", "fee_note", "approval_line")


def snapshot(ptype: PetitionType) -> dict[str, Any]:
    """Every setting of the type as it stands (what a version records)."""
    return {k: getattr(ptype, k) for k in FIELDS}


def _first_version(ptype: PetitionType, ctx: Context) -> int:
    """The number of the latest version; a type never published yet gets its current
    settings recorded as version 1 first, so the history starts where the file left it."""
    latest = ptype.versions.order_by("-number").values_list("number", flat=True).first()
    if latest is not None:
        return int(latest)
    PetitionTypeVersion.objects.create(
        type=ptype, number=1, settings=snapshot(ptype),
        note=f"민원 사무 목록 {ptype.catalog_version or '-'}의 설정",
        published_at=ctx.recorded_at, published_by=str(ctx.actor),
        command_id=ctx.command.command_id,
    )  # fmt: skip
    return 1


@dataclasses.dataclass(frozen=True, kw_only=True)
class PublishPetitionTypeVersion(Command):
    """Publish new settings of one petition type (처리기간, 수수료, 결재선) as its next
    version. Petitions already received keep the period they were received under (each
    carries its own); new ones are counted under the new version."""

    permission = PetitionsPermission.CATALOG
    code: str
    period: str
    fee: int
    fee_note: str = ""
    approval_line: list[str] = dataclasses.field(default_factory=list)
    note: str


def _settings(cmd: PublishPetitionTypeVersion) -> dict[str, Any]:
    try:
        period = deadlines.period_text(deadlines.parse_period(cmd.period))
    except ValueError:
        raise ValidationFailed(
            "처리기간은 즉시, 3h(시간), 7d(일), 2w(주), 1m(개월), 1y(년) 형식으로 입력하세요.",
            "Period must be 즉시, Nh, Nd, Nw, Nm or Ny.", field="period",
        ) from None  # fmt: skip
    if cmd.fee < 0 or cmd.fee > 10_000_000:
        raise ValidationFailed(
            "수수료는 0원 이상 1,000만 원 이하로 입력하세요.", "Fee out of range.", field="fee"
        )
    if any(role not in catalog.APPROVER_ROLES for role in cmd.approval_line):
        raise ValidationFailed(
            "결재선에는 부서장만 둘 수 있습니다.", "Unknown approver role.", field="approval_line"
        )
    return {"period": period, "fee": cmd.fee, "fee_note": cmd.fee_note.strip()[:200],
            "approval_line": list(cmd.approval_line)}  # fmt: skip


@handler(PublishPetitionTypeVersion)
def publish_petition_type_version(
    cmd: PublishPetitionTypeVersion, *, ctx: Context
) -> dict[str, Any]:
    ptype = PetitionType.objects.select_for_update().filter(code=cmd.code, active=True).first()
    if ptype is None:
        raise NotFound("민원 사무를 찾을 수 없습니다.", "Petition type not found.", field="code")
    note = cmd.note.strip()
    if not note or len(note) > 500:
        raise ValidationFailed(
            "변경 사유를 500자 이내로 입력하세요.", "Give the reason (≤ 500).", field="note"
        )
    changes = _settings(cmd)
    current = snapshot(ptype)
    if all(current[k] == v for k, v in changes.items()):
        raise Conflict(
            "바뀐 설정이 없습니다.", "Nothing changed.", field="period", code="unchanged"
        )
    number = _first_version(ptype, ctx) + 1
    PetitionTypeVersion.objects.create(
        type=ptype, number=number, settings={**current, **changes}, note=note,
        published_at=ctx.recorded_at, published_by=str(ctx.actor),
        command_id=ctx.command.command_id,
    )  # fmt: skip
    PetitionType.objects.filter(pk=ptype.pk).update(**changes)
    return {"code": ptype.code, "version": number, **changes}

"""인허가 commands: grant a permit or accept a registration (영업신고 수리), impose an
administrative sanction (행정처분), and bulk import. The permit is kept by the 시·군·구
of the business address (``jurisdiction`` of the command)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from minwon.kernel import clock, jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command
from minwon.licensing.permissions import LicensingPermission
from minwon.registry.models import Person, PersonStatus

from .events import PermitGranted, PermitsImported, SanctionImposed
from .models import Permit, PermitKind, PermitStatus, Sanction, SanctionKind
from .queries import BARRING_BASIS, barring_sanctions, sanction_hit

_STATUS_AFTER = {
    SanctionKind.SUSPENSION: PermitStatus.SUSPENDED,
    SanctionKind.REVOCATION: PermitStatus.REVOKED,
    SanctionKind.CLOSURE: PermitStatus.REVOKED,
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class GrantPermit(Command):
    """영업신고 수리 / 허가: ``holder_id`` runs ``business_name`` at ``road_address``.

    A holder barred by a sanction anywhere in the country (the national sanction check) is
    refused unless the officer overrides with ``override_reason``, which the command record
    and its audit row keep."""

    permission = LicensingPermission.GRANT
    kind: str
    holder_id: int
    business_name: str
    road_address: str
    at_residence: bool = False
    granted_on: date
    override_reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImposeSanction(Command):
    """행정처분 with its period and legal basis; suspension and revocation change the
    permit's status."""

    permit_id: int
    kind: str
    starts_on: date
    ends_on: date | None = None
    legal_basis: str
    reason: str


@dataclasses.dataclass(frozen=True)
class PermitRow:
    kind: str
    holder_id: int
    business_name: str
    road_address: str
    granted_on: date
    at_residence: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImportPermits(Command):
    permission = LicensingPermission.IMPORT
    rows: list[PermitRow]


def _check(kind: str, name: str, address: str, prefix: str = "") -> None:
    if kind not in PermitKind.values:
        raise ValidationFailed(
            "업종이 올바르지 않습니다.", "Unknown permit kind.", field=f"{prefix}kind"
        )
    if not name.strip() or len(name) > 100:
        raise ValidationFailed(
            "상호를 입력하세요.", "Enter the business name.", field=f"{prefix}business_name"
        )
    if len(address.strip()) < 5 or len(address) > 300:
        raise ValidationFailed(
            "소재지를 입력하세요.", "Enter the address.", field=f"{prefix}road_address"
        )


def _number(code: str, pk: int) -> str:
    return f"{code[:7]}-{pk:08d}"


@handler(GrantPermit)
def grant_permit(cmd: GrantPermit, *, ctx: Context) -> dict[str, Any]:
    _check(cmd.kind, cmd.business_name, cmd.road_address)
    unit = jurisdictions.get(cmd.jurisdiction)
    if not Person.objects.filter(pk=cmd.holder_id, status=PersonStatus.ACTIVE).exists():
        raise NotFound("대표자를 찾을 수 없습니다.", "Holder not found.", field="holder_id")
    overridden = _check_disqualification(cmd, ctx)
    permit = Permit.objects.create(
        number=f"tmp-{ctx.command.command_id.hex[:24]}",
        kind=cmd.kind,
        holder_id=cmd.holder_id,
        business_name=cmd.business_name.strip(),
        road_address=cmd.road_address.strip(),
        at_residence=cmd.at_residence,
        granted_on=cmd.granted_on,
        jurisdiction=unit,
    )
    permit.number = _number(unit.code, permit.pk)
    permit.save(update_fields=["number"])
    ctx.emit(PermitGranted(permit_id=permit.pk, number=permit.number, jurisdiction=unit.code))
    result: dict[str, Any] = {"permit_id": permit.pk, "number": permit.number}
    if overridden:
        result["overridden_sanctions"] = overridden
    return result


def _check_disqualification(cmd: GrantPermit, ctx: Context) -> list[dict[str, Any]]:
    """결격 사유: sanctions anywhere that bar the holder from this kind of permit. Refused
    (409, naming each jurisdiction) unless overridden with a reason; the national read is
    logged as one, with its purpose."""
    hits = barring_sanctions(cmd.holder_id, cmd.kind, on=cmd.granted_on)
    ctx.log_access(
        subject_type="person", subject_id=str(cmd.holder_id), what="sanction_check",
        purpose=f"인허가 결격 확인 ({BARRING_BASIS})",
    )  # fmt: skip
    found = [sanction_hit(s) for s in hits]
    if found and not cmd.override_reason.strip():
        names = ", ".join(sorted({s.permit.jurisdiction.full_name for s in hits}))
        raise Conflict(
            f"결격 사유가 있습니다: {names}의 행정처분. 예외로 처리하려면 사유를 입력하세요.",
            f"Disqualified by a sanction in {names}; give an override reason to proceed.",
            field="override_reason",
            code="sanction_hit",
            details={"hits": found},
        )
    return found


@handler(ImposeSanction)
def impose_sanction(cmd: ImposeSanction, *, ctx: Context) -> dict[str, Any]:
    permit = Permit.objects.select_for_update().filter(pk=cmd.permit_id).first()
    if permit is None:
        raise NotFound("인허가를 찾을 수 없습니다.", "Permit not found.", field="permit_id")
    ctx.require("licensing.sanction", permit.jurisdiction_id)
    if cmd.kind not in SanctionKind.values:
        raise ValidationFailed("처분 종류가 올바르지 않습니다.", "Unknown sanction.", field="kind")
    if cmd.ends_on is not None and cmd.ends_on < cmd.starts_on:
        raise ValidationFailed(
            "종료일이 시작일보다 앞섭니다.", "Ends before it starts.", field="ends_on"
        )
    if not cmd.legal_basis.strip():
        raise ValidationFailed(
            "근거 법령을 입력하세요.", "Enter the legal basis.", field="legal_basis"
        )
    if permit.status in (PermitStatus.REVOKED, PermitStatus.CLOSED):
        raise Conflict(
            "이미 취소되었거나 폐업한 인허가입니다.", "Permit already ended.", field="permit_id"
        )
    sanction = Sanction.objects.create(
        permit=permit,
        kind=cmd.kind,
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
        legal_basis=cmd.legal_basis.strip(),
        reason=cmd.reason.strip(),
        decided_at=ctx.recorded_at,
    )
    new_status = _STATUS_AFTER.get(SanctionKind(cmd.kind))
    if new_status is not None:
        permit.status = new_status
        permit.save(update_fields=["status"])
    ctx.emit(SanctionImposed(permit_id=permit.pk, kind=cmd.kind, permit_status=permit.status))
    return {"sanction_id": sanction.pk, "permit_status": permit.status}


@handler(ImportPermits)
def import_permits(cmd: ImportPermits, *, ctx: Context) -> dict[str, Any]:
    if not 1 <= len(cmd.rows) <= 5000:
        raise ValidationFailed(
            "한 번에 1~5000건까지입니다.", "1-5000 rows per command.", field="rows"
        )
    unit = jurisdictions.get(cmd.jurisdiction)
    for n, row in enumerate(cmd.rows):
        _check(row.kind, row.business_name, row.road_address, prefix=f"rows.{n}.")
    today = clock.local(ctx.occurred_at).date()
    tag = ctx.command.command_id.hex[:6]
    permits = Permit.objects.bulk_create(
        [
            Permit(
                number=f"{unit.code[:7]}-{tag}{n:04d}",
                kind=r.kind,
                holder_id=r.holder_id,
                business_name=r.business_name,
                road_address=r.road_address,
                at_residence=r.at_residence,
                granted_on=min(r.granted_on, today),
                jurisdiction=unit,
            )
            for n, r in enumerate(cmd.rows)
        ]
    )
    ctx.emit(PermitsImported(permit_ids=[p.pk for p in permits]))
    return {"permit_ids": [p.pk for p in permits]}

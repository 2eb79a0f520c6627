"""Stand-ins for an issuance and a petition intake that declare the room's categories the
way real command types do, so the room's tests need no other app's data."""

from __future__ import annotations

import dataclasses

from minwon.kernel.bus import Context
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command, RoomCategory


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssueDrillCertificate(Command):
    """A certificate-like command, counted as an issuance."""

    room_category = RoomCategory.ISSUANCES

    kind: str = "등본"
    fail: bool = False


@handler(IssueDrillCertificate)
def issue_drill_certificate(cmd: IssueDrillCertificate, *, ctx: Context) -> dict[str, str]:
    if cmd.fail:
        raise ValidationFailed("발급할 수 없습니다.", "Cannot issue.", field="kind")
    return {"kind": cmd.kind}


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubmitDrillPetition(Command):
    """A petition-intake-like command, counted as a petition received."""

    room_category = RoomCategory.PETITIONS_RECEIVED

    title: str = "민원"


@handler(SubmitDrillPetition)
def submit_drill_petition(cmd: SubmitDrillPetition, *, ctx: Context) -> dict[str, str]:
    return {"title": cmd.title}

"""Stand-ins for the commands other apps are building (issuance, petition intake), named
the way the conventions name them, so the room counts them without importing those apps."""

from __future__ import annotations

import dataclasses

from minwon.kernel.bus import Context
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssueDrillCertificate(Command):
    """A certificate-like command (matches the room's "issuances" row)."""

    kind: str = "등본"
    fail: bool = False


@handler(IssueDrillCertificate)
def issue_drill_certificate(cmd: IssueDrillCertificate, *, ctx: Context) -> dict[str, str]:
    if cmd.fail:
        raise ValidationFailed("발급할 수 없습니다.", "Cannot issue.", field="kind")
    return {"kind": cmd.kind}


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubmitDrillPetition(Command):
    """A petition-intake-like command (matches "petitions_received")."""

    title: str = "민원"


@handler(SubmitDrillPetition)
def submit_drill_petition(cmd: SubmitDrillPetition, *, ctx: Context) -> dict[str, str]:
    return {"title": cmd.title}

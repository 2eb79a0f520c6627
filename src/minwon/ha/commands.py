"""HA commands: the write probe.

A probe is a real command — deduplicated, audited, stored — so that counting probes after a
failover checks the same path every other write takes.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from minwon.ha.models import ProbeWrite
from minwon.ha.permissions import HaPermission
from minwon.kernel.bus import Context
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command

PROBE = HaPermission.PROBE

_CLIENT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecordProbeWrite(Command):
    """쓰기 점검: record that ``client`` wrote its ``seq``-th probe. Operators send one after
    a failover to see that writes are accepted; the chaos tests send thousands and count."""

    permission = PROBE

    client: str
    seq: int


@handler(RecordProbeWrite)
def record_probe_write(cmd: RecordProbeWrite, *, ctx: Context) -> dict[str, Any]:
    if not _CLIENT.match(cmd.client):
        raise ValidationFailed(
            "client는 영문, 숫자, _.- 로 1~64자여야 합니다.",
            "client must be 1-64 letters, digits or _.-",
            field="client",
        )
    if cmd.seq < 0 or cmd.seq > 2_000_000_000:
        raise ValidationFailed(
            "seq는 0 이상 20억 이하의 정수여야 합니다.",
            "seq must be an integer from 0 to 2,000,000,000.",
            field="seq",
        )
    row = ProbeWrite.objects.create(
        command_id=cmd.command_id, client=cmd.client, seq=cmd.seq, recorded_at=ctx.recorded_at
    )
    return {"probe_id": row.pk, "client": cmd.client, "seq": cmd.seq}

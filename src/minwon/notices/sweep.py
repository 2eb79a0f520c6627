"""The notices' periodic work (``minwon notices_sweep``, from cron or a systemd timer):
in the morning, the SMS held overnight go back to the outbox; every campaign with notices
due for paper gets a print batch. Each is a command with an id derived from the occasion
(the hour), so a second sweep in the same hour replays instead of repeating."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from minwon.kernel import clock, execute
from minwon.kernel.types import NATION, Actor, Channel
from minwon.notices.campaigns import QueuePaperBatch
from minwon.notices.delivery import ReleaseHeldMessages
from minwon.notices.models import Notice

SWEEPER = Actor.system("notices-sweep")


def _id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, "minwon:notices:" + ":".join(map(str, parts)))


def run(now: datetime | None = None) -> dict[str, Any]:
    at = clock.local(now or clock.now())
    hour = f"{at:%Y%m%d%H}"
    released = execute(
        ReleaseHeldMessages(
            actor=SWEEPER,
            channel=Channel.SYSTEM,
            jurisdiction=NATION,
            command_id=_id("release", hour),
        )
    ).value["released"]
    due = (
        Notice.objects.filter(campaign__isnull=False, opened_at__isnull=True,
                              print_batch__isnull=True, paper_due_at__lte=at)
        .values_list("campaign_id", "campaign__jurisdiction_id").distinct()
    )  # fmt: skip
    batches = {}
    for campaign_id, code in sorted(set(due)):
        result = execute(
            QueuePaperBatch(actor=SWEEPER, channel=Channel.SYSTEM, jurisdiction=code,
                            campaign_id=campaign_id, command_id=_id("paper", campaign_id, hour))
        )  # fmt: skip
        batches[campaign_id] = result.value["size"]
    return {"released": released, "paper": batches}

"""Demo notices: 원주시's 자동차세 campaign for this year's 1st half (issued in June through
the campaign command, its unopened notices already in a print batch) — the 2nd half is
left for a clerk to issue from the staff page (``/staff/notices/``), for citizen1 to open
in the inbox and for the operator to follow. Idempotent: fixed command ids replay."""

from __future__ import annotations

from datetime import datetime

from minwon.kernel import clock
from minwon.kernel.demo import DEMO_CITIES, DemoContext
from minwon.kernel.types import Actor, Channel
from minwon.notices.campaigns import IssueTaxCampaign, QueuePaperBatch
from minwon.registry.demo import builder

SYSTEM = Actor.system("demo")


def seed(ctx: DemoContext) -> None:
    year = clock.now().year
    wonju = DEMO_CITIES["wonju"]
    issued = datetime(year, 6, 5, 9, 0, tzinfo=clock.SEOUL)
    result = ctx.run(
        "notices:wonju:vehicle:1",
        builder(IssueTaxCampaign, actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=wonju,
                item="vehicle", period=f"{year} 1기", paper_after_hours=168, occurred_at=issued),
    )  # fmt: skip
    value = result.value if result is not None else ctx.result("notices:wonju:vehicle:1")
    if not value:
        return
    batch = ctx.run(
        "notices:wonju:vehicle:1:paper",
        builder(QueuePaperBatch, actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=wonju,
                campaign_id=value["campaign_id"]),
    )  # fmt: skip
    size = batch.value["size"] if batch is not None else "-"
    ctx.say(f"notices: 원주시 자동차세 {year} 1기 — {value['created']} notices, {size} to paper")

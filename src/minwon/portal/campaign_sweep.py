"""The campaigns' periodic work (``minwon campaigns_sweep``, from cron or a timer): remind the
recipients who have not answered — at the opening, half-way and the day before the deadline —
and after the deadline tell their department heads. Each occasion is one command whose id
is derived from the campaign and the occasion, so a second sweep replays it instead of
sending again; only the latest reminder due is sent (a sweep that starts late does not send
three at once)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from minwon.kernel import clock, execute
from minwon.kernel.types import Actor, Channel

from .commands import SendCampaignReminders
from .models import Campaign, Reminder

SWEEPER = Actor.system("campaigns-sweep")
#: How long after the deadline escalations are still sent (a sweep down for a while).
ESCALATE_WITHIN = timedelta(days=30)


def _id(campaign_id: int, occasion: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:campaigns:{campaign_id}:{occasion}")


def due_occasion(campaign: Campaign, now: datetime) -> str | None:
    """The reminder (or escalation) that is due at ``now``, if any."""
    if now < campaign.opens_at:
        return None
    if now > campaign.deadline_at:
        return Reminder.Occasion.ESCALATION
    if now >= campaign.deadline_at - timedelta(days=1):
        return Reminder.Occasion.DAY_BEFORE
    if now >= campaign.opens_at + (campaign.deadline_at - campaign.opens_at) / 2:
        return Reminder.Occasion.HALFWAY
    return Reminder.Occasion.OPENING


def run(now: datetime | None = None) -> dict[str, Any]:
    at = now or clock.now()
    sent: dict[str, int] = {}
    campaigns = Campaign.objects.filter(
        opens_at__lte=at, deadline_at__gte=at - ESCALATE_WITHIN
    ).order_by("id")
    for campaign in campaigns:
        occasion = due_occasion(campaign, at)
        if occasion is None:
            continue
        result = execute(
            SendCampaignReminders(
                actor=SWEEPER, channel=Channel.SYSTEM, jurisdiction=campaign.jurisdiction_id,
                campaign_id=campaign.pk, occasion=occasion, occurred_at=at,
                command_id=_id(campaign.pk, occasion),
            )
        )  # fmt: skip
        sent[f"{campaign.pk}:{occasion}"] = 0 if result.replayed else result.value["notified"]
    return sent

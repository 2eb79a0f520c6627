"""What the landing page (``/staff/``) shows an officer: their queue by deadline (overdue
first), the petitions waiting for their own decision, reports and incidents they should
know of, shortcuts for their roles. Every list is read through the owning app's scoped
querysets, so the page shows nothing a search or the app's own page would not."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When

from minwon.kernel.types import Actor

from . import policies

QUEUE_SIZE = 10


def _row(petition: Any, now: datetime) -> dict[str, Any]:
    from minwon.petitions import deadlines

    paused = petition.paused_since is not None
    left = deadlines.working_hours_left(petition.deadline_at, now)
    return {
        "petition": petition,
        "hours_left": round(left, 3),
        "overdue": left < 0 and not paused,
        "paused": paused,
    }


def queue(actor: Actor, *, now: datetime) -> dict[str, Any]:
    """Open petitions the actor may process: overdue ones first, then by deadline."""
    from minwon.petitions import policies as petition_policies
    from minwon.petitions.models import OPEN_STATES
    from minwon.petitions.permissions import PetitionsPermission

    if not policies.can_process_petitions(actor):
        return {"allowed": False, "rows": [], "open": 0, "overdue": 0}
    open_qs = (
        petition_policies.visible(actor, PetitionsPermission.PROCESS)
        .select_related("application", "type")
        .filter(state__in=OPEN_STATES)
    )
    late = Q(deadline_at__lt=now, paused_since__isnull=True)
    ordered = open_qs.annotate(
        late=Case(When(late, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("late", "deadline_at", "id")
    return {
        "allowed": True,
        "rows": [_row(p, now) for p in ordered[:QUEUE_SIZE]],
        "open": open_qs.count(),
        "overdue": open_qs.filter(late).count(),
    }


def awaiting_decision(actor: Actor, *, now: datetime) -> list[dict[str, Any]]:
    """Petitions assigned to the actor, under review or waiting to be decided (their 결재)."""
    from minwon.petitions import policies as petition_policies
    from minwon.petitions.models import Petition
    from minwon.petitions.permissions import PetitionsPermission

    if actor.id is None or not policies.can_process_petitions(actor):
        return []
    mine = (
        petition_policies.visible(actor, PetitionsPermission.PROCESS)
        .select_related("application", "type")
        .filter(officer_id=actor.id, state__in=[Petition.State.ASSIGNED, Petition.State.IN_REVIEW])
    )
    return [_row(p, now) for p in mine.order_by("deadline_at", "id")[:QUEUE_SIZE]]


def reports(actor: Actor) -> list[Any]:
    """기한 경과 보고: overdue petitions reported to the heads of the departments."""
    from minwon.petitions import policies as petition_policies
    from minwon.petitions.models import OPEN_STATES
    from minwon.petitions.permissions import PetitionsPermission

    if not policies.can_see_reports(actor):
        return []
    escalated = (
        petition_policies.visible(actor, PetitionsPermission.READ)
        .select_related("application", "type")
        .filter(state__in=OPEN_STATES, escalated_at__isnull=False)
    )
    return list(escalated.order_by("-escalated_at")[:QUEUE_SIZE])


def incidents() -> list[Any]:
    """Incidents not yet resolved: every officer should know a service is down and which
    counters work in continuity mode."""
    from minwon.ops.models import Incident

    return list(Incident.objects.exclude(state=Incident.State.RESOLVED).order_by("-opened_at")[:5])


def awaiting_approval(actor: Actor) -> list[Any]:
    """Drafts awaiting this officer's 결재 (the 결재함's own query)."""
    from minwon.petitions.approvals import awaiting_approval as drafts

    return drafts(actor)


def campaigns_due(actor: Actor, *, now: datetime) -> list[dict[str, Any]]:
    """자동취합 due from the officer's office or department (unanswered first)."""
    from . import collect

    return collect.open_for(actor, now=now)


def inbox(actor: Actor) -> dict[str, Any]:
    """The officer's own 알림함: how many are unread, and the newest unread ones."""
    from minwon.notices import policies as notice_policies

    unread = notice_policies.staff_messages(actor).filter(read_at__isnull=True)
    return {"unread": unread.count(), "latest": list(unread[:5])}


def overview(actor: Actor, user: Any, *, now: datetime) -> dict[str, Any]:
    grants = list(user.grants.select_related("jurisdiction").order_by("role"))
    found_reports = reports(actor)
    open_incidents = incidents()
    messages = inbox(actor)
    return {
        "grants": grants,
        "queue": queue(actor, now=now),
        "awaiting": awaiting_decision(actor, now=now),
        "approvals": awaiting_approval(actor)[:10],
        "campaigns": campaigns_due(actor, now=now),
        "reports": found_reports,
        "incidents": open_incidents,
        "inbox": messages,
        "notice_count": len(found_reports) + len(open_incidents) + messages["unread"],
        "now": now,
    }

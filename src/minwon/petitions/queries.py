"""Reads shared by pages and the API: the catalog, an officer's scoped work queue, the
department head's load view and a petition with its history."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from minwon.kernel.types import Actor
from minwon.petitions import deadlines
from minwon.petitions.models import OPEN_STATES, Application, PetitionType


def petition_types(*, channel: str | None = None) -> QuerySet[PetitionType]:
    qs = PetitionType.objects.filter(active=True)
    if channel:
        # JSON containment differs between SQLite and PostgreSQL; the catalog is small.
        codes = [t.code for t in qs if channel in t.channels]
        qs = qs.filter(code__in=codes)
    return qs.order_by("category", "name")


def work_queue(actor: Actor, *, now: datetime, mine_only: bool = False) -> list[dict[str, Any]]:
    """Open petitions the actor may process, soonest deadline first, with the working hours
    left (negative = overdue)."""
    from minwon.petitions import policies

    qs = policies.visible(actor, policies.PROCESS).filter(state__in=OPEN_STATES)
    if mine_only and actor.id is not None:
        qs = qs.filter(officer_id=actor.id)
    rows = []
    for p in qs.order_by("deadline_at")[:500]:
        left = deadlines.working_hours_left(p.deadline_at, now)
        rows.append(
            {
                "petition": p,
                "hours_left": round(left, 3),
                "overdue": left < 0 and p.paused_since is None,
                "paused": p.paused_since is not None,
            }
        )
    return rows


def department_load(actor: Actor, *, now: datetime) -> list[dict[str, Any]]:
    """Per department: open petitions, overdue ones and those due within a working day."""
    open_count: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    due_soon: Counter[str] = Counter()
    from minwon.petitions import policies

    qs = policies.visible(actor, policies.OVERSEE).filter(state__in=OPEN_STATES)
    for dept, due, paused in qs.values_list("department", "deadline_at", "paused_since"):
        open_count[dept] += 1
        if paused is None and due < now:
            overdue[dept] += 1
        elif paused is None and deadlines.working_hours_left(due, now) <= 8:
            due_soon[dept] += 1
    return [
        {"department": d, "open": open_count[d], "overdue": overdue[d], "due_soon": due_soon[d]}
        for d in sorted(open_count, key=lambda d: (-overdue[d], -open_count[d], d))
    ]


def citizen_index(user_id: int | None) -> str:
    """The verified identity (RRN blind index) of a citizen account, or ""."""
    if user_id is None:
        return ""
    from minwon.accounts.models import User

    found = (
        User.objects.filter(pk=user_id, kind=User.Kind.CITIZEN)
        .values_list("identity_index", flat=True)
        .first()
    )
    return found or ""


def _of_citizen(user_id: int) -> Q:
    """Applications the citizen filed online, and those filed for them at a counter, by mail
    or at a kiosk where they were identified by their resident number — the same verified
    identity their account holds."""
    mine = Q(applicant_user_id=user_id)
    index = citizen_index(user_id)
    return mine | Q(identity_index=index) if index else mine


def is_applicant(application: Application, user_id: int | None) -> bool:
    """Whether the citizen account ``user_id`` is the application's applicant (see
    ``_of_citizen``)."""
    if user_id is None:
        return False
    if application.applicant_user_id == user_id:
        return True
    return bool(application.identity_index) and application.identity_index == citizen_index(user_id)


def application_for_citizen(user_id: int, receipt_number: str) -> Application | None:
    return Application.objects.filter(_of_citizen(user_id), receipt_number=receipt_number).first()


def applications_of_citizen(user_id: int) -> QuerySet[Application]:
    return (
        Application.objects.filter(_of_citizen(user_id))
        .prefetch_related("items__type")
        .order_by("-received_at")
    )


def deadline_changes(actor: Actor, command_id: Any) -> dict[str, Any]:
    """The deadlines one calendar change moved (``petitions.events``): how many in all, and
    those ``actor`` may read, with the step that records each move."""
    from minwon.petitions import policies
    from minwon.petitions.models import PetitionStep

    steps = PetitionStep.objects.filter(command_id=command_id, action="calendar_change")
    visible = policies.visible(actor).values("pk")
    shown = (
        steps.filter(petition__in=visible)
        .select_related("petition__application", "petition__type")
        .order_by("petition__deadline_at")[:200]
    )
    return {"total": steps.count(), "shown": list(shown)}

"""자동취합 reads and helpers: the status board, the landing panel, the prefill of an answer
(the recipient's previous round, then minwon's own registers), and who a reminder or an
escalation goes to. The commands and pages call these; nothing here changes state except
``remind``, which a command's handler calls inside its transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from minwon.kernel.bus import Context
from minwon.kernel.types import Actor

from . import forms_def, policies
from .models import Answer, Campaign, FormVersion, Recipient


def label(recipient: Recipient) -> str:
    """What people call a recipient: the office, and the department when there is one."""
    name = recipient.jurisdiction.name
    return f"{name} {recipient.department}" if recipient.department else name


def closes_at(campaign: Campaign) -> datetime:
    return campaign.deadline_at + timedelta(hours=campaign.grace_hours)


def is_open(campaign: Campaign, now: datetime) -> bool:
    return campaign.opens_at <= now <= closes_at(campaign)


def latest_version(campaign: Campaign) -> FormVersion:
    version = campaign.versions.order_by("-number").first()
    assert version is not None
    return version


def status_of(answer: Answer | None, campaign: Campaign, now: datetime) -> str:
    """submitted, late (submitted after the deadline), overdue (none, deadline passed) or
    not_started."""
    if answer is not None:
        return "late" if answer.late else "submitted"
    return "overdue" if now > campaign.deadline_at else "not_started"


STATUS_LABELS = {
    "submitted": "제출",
    "late": "기한 후 제출",
    "overdue": "미제출(기한 경과)",
    "not_started": "미제출",
}


def board(campaign: Campaign, *, now: datetime) -> dict[str, Any]:
    """The live status board: one row per recipient, and the counts per status."""
    current = {
        a.recipient_id: a
        for a in Answer.objects.filter(campaign=campaign, current=True).only(
            "recipient_id", "number", "late", "submitted_at", "submitted_by_name"
        )
    }
    rows = []
    counts = dict.fromkeys(STATUS_LABELS, 0)
    recipients = campaign.recipients.select_related("jurisdiction").order_by(
        "jurisdiction_id", "department"
    )
    for recipient in recipients:
        answer = current.get(recipient.pk)
        status = status_of(answer, campaign, now)
        counts[status] += 1
        rows.append(
            {"recipient": recipient, "label": label(recipient), "answer": answer,
             "status": status, "status_label": STATUS_LABELS[status]}
        )  # fmt: skip
    return {"rows": rows, "counts": counts, "total": len(rows)}


def open_for(actor: Actor, *, now: datetime) -> list[dict[str, Any]]:
    """The landing panel: open campaigns the actor answers for, unanswered ones first."""
    recipients = (
        policies.answerable(actor)
        .select_related("campaign", "jurisdiction")
        .filter(campaign__opens_at__lte=now)
        .order_by("campaign__deadline_at", "id")
    )
    answered = set(
        Answer.objects.filter(recipient__in=recipients, current=True).values_list(
            "recipient_id", flat=True
        )
    )
    rows = []
    for recipient in recipients[:50]:
        if not is_open(recipient.campaign, now):
            continue
        done = recipient.pk in answered
        rows.append(
            {"recipient": recipient, "campaign": recipient.campaign, "label": label(recipient),
             "answered": done, "late": now > recipient.campaign.deadline_at,
             "deadline_at": recipient.campaign.deadline_at}
        )  # fmt: skip
    rows.sort(key=lambda r: (bool(r["answered"]), r["deadline_at"]))
    return rows[:10]


# --- recipients -----------------------------------------------------------------------------


def departments_of(codes: list[str]) -> list[tuple[str, str, str]]:
    """(office code, office name, department) of the departments (부서) staffed at the
    offices ``codes`` — the departments a campaign of those offices can be sent to."""
    from minwon.accounts.models import RoleGrant

    rows = (
        RoleGrant.objects.filter(jurisdiction_id__in=codes)
        .exclude(department="")
        .values_list("jurisdiction_id", "jurisdiction__name", "department")
        .distinct()
    )
    return sorted(set(rows))


def is_department(code: str, department: str) -> bool:
    """Whether ``department`` is staffed at the office ``code`` (someone to answer)."""
    from minwon.accounts.models import RoleGrant

    return RoleGrant.objects.filter(jurisdiction_id=code, department=department).exists()


# --- prefill -------------------------------------------------------------------------------


def previous_answer(recipient: Recipient) -> Answer | None:
    """The same recipient's current answer in the campaign's previous round."""
    previous_id = recipient.campaign.previous_id
    if previous_id is None:
        return None
    return (
        Answer.objects.filter(
            campaign_id=previous_id, current=True, recipient__jurisdiction_id=recipient.jurisdiction_id,
            recipient__department=recipient.department,
        )
        .order_by("-number")
        .first()
    )  # fmt: skip


def _permits_in(recipient: Recipient) -> QuerySet[Any]:
    """영업 신고 in business (영업정지 included: the 신고 stands) in the recipient's area."""
    from minwon.licensing.models import Permit, PermitStatus

    return Permit.objects.filter(
        status__in=[PermitStatus.ACTIVE, PermitStatus.SUSPENDED],
        jurisdiction__path__startswith=recipient.jurisdiction.path,
    )


def permits_by_kind(recipient: Recipient) -> list[tuple[str, str, int]]:
    """(업종 code, 업종 name, count) for every 업종, in the order the register lists them."""
    from django.db.models import Count

    from minwon.licensing.models import PermitKind

    counted = dict(
        _permits_in(recipient).values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    return [(kind.value, str(kind.label), int(counted.get(kind.value, 0))) for kind in PermitKind]


def _register(name: str, recipient: Recipient) -> Any:
    if name == "population":
        from minwon.registry.models import Person, PersonStatus

        return Person.objects.filter(
            status=PersonStatus.ACTIVE,
            jurisdiction__path__startswith=recipient.jurisdiction.path,
        ).count()
    if name == "permits":
        return _permits_in(recipient).count()
    if name.startswith("permits:"):
        return _permits_in(recipient).filter(kind=name.partition(":")[2]).count()
    return None


def _table_register(f: forms_def.Field, recipient: Recipient) -> list[dict[str, Any]] | None:
    """A table mapped to ``permits_by_kind``: one row per 업종 with its count."""
    if f.register != "permits_by_kind":
        return None
    name = next(c for c in f.columns if c.type in ("text", "choice"))
    count = next(c for c in f.columns if c.type == "number")
    rows = []
    for _, label, n in permits_by_kind(recipient):
        if name.type == "choice" and label not in name.choices:
            continue
        row: dict[str, Any] = {c.key: None for c in f.columns}
        row.update({name.key: label, count.key: n})
        rows.append(row)
    return rows


def prefill(recipient: Recipient, fields: tuple[forms_def.Field, ...]) -> dict[str, Any]:
    """What the answer form starts with: a field mapped to a register from minwon's own data,
    else the previous round's value (tables included); ``None`` where nothing is known."""
    before = previous_answer(recipient)
    old = before.data if before is not None else {}
    out: dict[str, Any] = {}
    for f in fields:
        value: Any = None
        if f.register:
            value = (
                _table_register(f, recipient)
                if f.type == "table"
                else _register(f.register, recipient)
            )
        out[f.key] = value if value is not None else old.get(f.key)
    return out


# --- reminders -----------------------------------------------------------------------------


def _grants(recipient: Recipient, permission: str) -> QuerySet[Any]:
    from minwon.accounts.models import RoleGrant
    from minwon.accounts.permissions import role_permissions

    roles = [r for r in ("counter_clerk", "officer", "department_head")
             if permission in role_permissions(r)]  # fmt: skip
    grants = RoleGrant.objects.select_related("user", "jurisdiction").filter(role__in=roles)
    if recipient.department:
        grants = grants.filter(department=recipient.department)
    return grants


def staff_of(recipient: Recipient) -> list[Any]:
    """The staff of the recipient's own office (and department) who may answer for it."""
    grants = _grants(recipient, policies.ANSWER).filter(jurisdiction_id=recipient.jurisdiction_id)
    return sorted({g.user for g in grants}, key=lambda u: u.pk)


def heads_of(recipient: Recipient) -> list[Any]:
    """The department heads nearest above (or at) the recipient's office."""
    path = recipient.jurisdiction.path
    grants = [
        g for g in _grants(recipient, policies.MANAGE).filter(role="department_head")
        if path.startswith(g.jurisdiction.path)
    ]  # fmt: skip
    if not grants:
        return []
    nearest = max(len(g.jurisdiction.path) for g in grants)
    return sorted(
        {g.user for g in grants if len(g.jurisdiction.path) == nearest}, key=lambda u: u.pk
    )


def remind(
    ctx: Context, campaign: Campaign, recipient: Recipient, user: Any, *, escalation: bool
) -> None:
    """One message in the staff member's 알림함 (and its e-mail, through the outbox), by the
    notices' ``notify_staff``."""
    from minwon.kernel import clock
    from minwon.notices.commands import notify_staff

    due = f"{clock.local(campaign.deadline_at):%Y-%m-%d %H:%M}"
    if escalation:
        subject = f"[자동취합 미제출 보고] {campaign.title} · {label(recipient)}"
        body = f"{label(recipient)}이(가) 마감({due})까지 '{campaign.title}'에 응답하지 않았습니다."
    else:
        subject = f"[자동취합 제출 요청] {campaign.title} · {label(recipient)}"
        body = f"'{campaign.title}'에 {due}까지 응답해 주세요. 행정포털 첫 화면에서 작성할 수 있습니다."
    notify_staff(
        ctx, user_id=user.pk, category="general", subject=subject, body=body,
        items=[{"label": "마감", "value": due}, {"label": "대상", "value": label(recipient)}],
        email=user.email or "",
    )  # fmt: skip

"""Helpers the petition handlers share: loading a petition under lock with its permission
check, recording a step, recomputing the deadline and writing the citizen's notice."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from minwon.kernel import formats, sql
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, Forbidden, NotFound
from minwon.kernel.registry import register_event
from minwon.kernel.types import Actor, ActorKind, Event
from minwon.petitions import deadlines, queries, written
from minwon.petitions.files import AttachmentRef
from minwon.petitions.models import Attachment, Petition, PetitionStep


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PetitionStepRecorded(Event):
    """A petition moved (or was touched): the situation room counts these, and agency
    callbacks and edge nodes can follow a petition from them."""

    number: str
    jurisdiction: str
    action: str
    state: str
    department: str
    deadline_at: str | None


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicantNotified(Event):
    """The applicant is to be told of a step (receipt, supplement, extension, result …)."""

    identity_index: str
    email: str
    subject: str
    body: str
    items: list[dict[str, str]]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PetitionDecided(Event):
    """민원 처리 결과 (법 제27조): the decision reached the applicant's side. The notices app
    turns it into a formal 민원 결과 통지 (its template, lifecycle, receipt and the
    이의신청기한 it starts)."""

    petition_id: int
    jurisdiction: str
    receipt_number: str
    number: str
    type_name: str
    department: str
    outcome: str
    reasons: str
    remedies: str
    identity_index: str
    applicant_name: str
    address: str
    email: str


def not_found() -> NotFound:
    return NotFound("민원을 찾을 수 없습니다.", "Petition not found.", field="receipt_number")


def load_for_update(receipt_number: str, item: int) -> Petition:
    """The petition, locked for this transaction (no read-check-write races)."""
    petition = (
        Petition.objects.select_for_update()
        .select_related("application", "type")
        .filter(application__receipt_number=receipt_number, seq=item)
        .first()
    )
    if petition is None:
        raise not_found()
    return petition


def require_staff(ctx: Context, petition: Petition, permission: str) -> None:
    ctx.require(permission, petition.jurisdiction_id)


def require_applicant_or(ctx: Context, petition: Petition, permission: str) -> None:
    """The applicant themself (online), or staff holding ``permission`` (at the counter)."""
    if ctx.actor.kind == ActorKind.CITIZEN:
        if not queries.is_applicant(petition.application, ctx.actor.id):
            raise Forbidden(
                "본인이 신청한 민원만 처리할 수 있습니다.",
                "Only the applicant may do this.",
                field="receipt_number",
                code="not_applicant",
            )
        return
    ctx.require(permission, petition.jurisdiction_id)


def refuse_transition(petition: Petition, action: str) -> Conflict:
    state = Petition.State(petition.state)
    return Conflict(
        f"'{state.label}' 상태의 민원에는 이 처리({formats.korean('step', action)})를 "
        "할 수 없습니다.",
        f"A petition in state '{state.value}' cannot be {action}.",
        field="state",
        code="invalid_transition",
        details={"state": state.value, "action": action},
    )


def ensure_state(petition: Petition, action: str, allowed: tuple[str, ...]) -> None:
    if petition.state not in allowed:
        raise refuse_transition(petition, action)


def pauses_of(petition: Petition) -> list[deadlines.Pause]:
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in petition.pauses]


def extensions_of(petition: Petition) -> list[deadlines.Period]:
    return [deadlines.parse_period(e["period"]) for e in petition.extensions]


def recompute_deadline(petition: Petition) -> datetime:
    return deadlines.deadline(
        petition.received_at,
        deadlines.parse_period(petition.period),
        pauses_of(petition),
        extensions=extensions_of(petition),
    )


def _actor_name(actor: Actor) -> str:
    """Who acted, as the 처리 과정 names them: a staff member by name, 부서 and 직무 as they
    were at that moment; others (kiosk, system, citizen) by the actor's own name."""
    if actor.kind == ActorKind.STAFF:
        from minwon.accounts.actors import staff_display_name

        return staff_display_name(actor.id) or actor.name
    return actor.name


def _step_actor_name(ctx: Context) -> str:
    """The actor's name for the steps of this command, read once per command (a
    submission of several petitions, or a decision at reception, records several)."""
    name = ctx.memo.get("petitions.actor_name")
    if name is None:
        name = ctx.memo["petitions.actor_name"] = _actor_name(ctx.actor)[:60]
    return str(name)


def record_step(
    ctx: Context,
    petition: Petition,
    action: str,
    *,
    note: str = "",
    public_note: str = "",
    at: datetime | None = None,
) -> PetitionStep:
    """Append the step and its event. ``note`` is internal; ``public_note`` is what the
    tracking page may show (never personal data)."""
    step = PetitionStep(
        petition=petition,
        action=action,
        state=petition.state,
        actor=str(ctx.actor),
        actor_name=_step_actor_name(ctx),
        department=petition.department,
        at=at or ctx.occurred_at,
        recorded_at=ctx.recorded_at,
        note=note,
        public_note=public_note,
        deadline_at=petition.deadline_at,
        command_id=ctx.command.command_id,
    )
    sql.create(step)
    written.note_step(ctx, step)
    ctx.emit(step_recorded(petition, action))
    return step


def step_recorded(petition: Petition, action: str) -> PetitionStepRecorded:
    """The event a step of ``petition`` by ``action`` emits (``record_step``, and the set-wise
    submission that writes its steps together)."""
    return PetitionStepRecorded(
        number=petition.number,
        jurisdiction=petition.jurisdiction_id,
        action=action,
        state=petition.state,
        department=petition.department,
        deadline_at=petition.deadline_at.isoformat() if petition.deadline_at else None,
    )


def attach(
    ctx: Context, petition: Petition, refs: list[AttachmentRef], kind: str, at: datetime
) -> None:
    """Record the files a command attached (already verified against storage) on the
    petition: the row holds the reference, never the bytes."""
    if refs:
        Attachment.objects.bulk_create(
            Attachment(
                petition=petition, kind=kind, document=r.document, file_name=r.file_name,
                content_type=r.content_type, size=r.size, sha256=r.sha256,
                storage_key=r.storage_key, attached_at=at, command_id=ctx.command.command_id,
            )
            for r in refs
        )  # fmt: skip


def save(petition: Petition, *fields: str) -> None:
    petition.version += 1
    petition.save(update_fields=[*fields, "version"])


def tell_applicant(ctx: Context, petition: Petition, subject: str, body: str) -> None:
    """Tell the citizen (민원처리법 제27조 결과 통지 and the progress notices): the notices
    app subscribes to ``ApplicantNotified``. An applicant known by name only (a letter
    without a number) is told by post instead."""
    application = petition.application
    if not application.identity_index:
        return
    ctx.emit(
        ApplicantNotified(
            identity_index=application.identity_index,
            email=application.email,
            subject=subject,
            body=body,
            items=[
                {"label": "접수번호", "value": application.receipt_number},
                {"label": "민원", "value": petition.type.name},
                {"label": "처리 부서", "value": petition.department},
                {"label": "처리기한", "value": fmt(petition.deadline_at)},
            ],
        )
    )


def tell_result(ctx: Context, petition: Petition, outcome: str) -> None:
    """The result, told as a formal notice (``PetitionDecided``; the notices app writes it
    from its 민원 결과 통지 template). An applicant known by name only is told by post."""
    application = petition.application
    if not application.identity_index:
        return
    ctx.emit(
        PetitionDecided(
            petition_id=petition.pk,
            jurisdiction=application.jurisdiction_id,
            receipt_number=application.receipt_number,
            number=petition.number,
            type_name=petition.type.name,
            department=petition.department,
            outcome=outcome,
            reasons=petition.reasons,
            remedies=petition.remedies,
            identity_index=application.identity_index,
            applicant_name=application.applicant_name,
            address=application.address,
            email=application.email,
        )
    )


def fmt(moment: datetime | None) -> str:
    return formats.instant(moment, "ko") if moment else "-"


def result(petition: Petition, **extra: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "receipt_number": petition.application.receipt_number,
        "item": petition.seq,
        "number": petition.number,
        "state": petition.state,
        "deadline_at": petition.deadline_at.isoformat(),
    }
    value.update(extra)
    return value

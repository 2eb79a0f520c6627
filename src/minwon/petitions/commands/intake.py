"""Intake (접수): one application — one form, one receipt — covering one or more petition
types, each routed to its department with its own legal deadline. Online (the citizen),
at the counter and by mail (a clerk; for mail ``occurred_at`` is the arrival time the clerk
records), at a kiosk where the type allows it, and from agency systems."""

from __future__ import annotations

import dataclasses
import functools
from datetime import date, datetime
from typing import Any

from minwon.kernel import jurisdictions, sql
from minwon.kernel.bus import Context
from minwon.kernel.clock import local
from minwon.kernel.errors import Forbidden, ValidationFailed
from minwon.kernel.registry import handler, register_event
from minwon.kernel.rrn import SealedRRN
from minwon.kernel.types import ActorKind, Channel, Command, Continuity, Event, RoomCategory
from minwon.petitions import deadlines, files, receipts, rules, written
from minwon.petitions.commands.common import (
    _step_actor_name,
    attach,
    fmt,
    record_step,
    save,
    step_recorded,
    tell_applicant,
    tell_result,
)
from minwon.petitions.files import AttachmentRef
from minwon.petitions.models import Application, Attachment, Petition, PetitionStep, PetitionType

MAX_ITEMS = 15  # the seeds' fifteen forms that became one
CHANNEL_OF = {
    Channel.ONLINE: "online",
    Channel.COUNTER: "counter",
    Channel.MAIL: "mail",
    Channel.KIOSK: "kiosk",
    Channel.AGENCY: "online",
    Channel.EDGE: "counter",
    Channel.SYSTEM: "counter",
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicationItem:
    """One petition type on the form, its answers and the documents handed in: by name
    (on paper, at a counter), as files (``attachments``, stored before the command), or
    promised for later at the counter (``later``: only documents whose catalog entry says
    ``later``)."""

    type_code: str
    form: dict[str, Any] = dataclasses.field(default_factory=dict)
    documents: list[str] = dataclasses.field(default_factory=list)
    attachments: list[AttachmentRef] = dataclasses.field(default_factory=list)
    later: list[str] = dataclasses.field(default_factory=list)


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicationReceived(Event):
    """An application was received: the situation room counts receptions per channel."""

    receipt_number: str
    jurisdiction: str
    channel: str
    petitions: int
    auto_decided: int
    #: The fee of each petition in item order (원), and the paid order that covers them
    #: (``payments`` links the payment to the receipt number in the same transaction).
    fees: list[int] = dataclasses.field(default_factory=list)
    payment_order: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubmitApplication(Command):
    """민원 신청·접수. ``jurisdiction`` is the receiving 시·군·구. The applicant is the
    logged-in citizen (online, kiosk) or the person a clerk enters (name, birth date and,
    when shown, the resident number — sealed, never in clear). ``receipt_random`` exists
    only so demo data gets the same receipt numbers on every run; leave it empty."""

    room_category = RoomCategory.PETITIONS_RECEIVED

    continuity = Continuity.LOCAL

    items: list[ApplicationItem]
    applicant_name: str = ""
    applicant_birth: date | None = None
    sealed_rrn: SealedRRN | None = None
    email: str = ""
    phone: str = ""
    address: str = ""
    receipt_random: str = ""
    #: The order key of the card payment (``payments.RecordPayment``) of the fees, when
    #: they were paid before filing (online, kiosk); empty: collected otherwise.
    payment_order: str = ""


def _bad(ko: str, en: str, field: str, code: str = "validation_failed") -> ValidationFailed:
    return ValidationFailed(ko, en, field=field, code=code)


def _authorise(cmd: SubmitApplication, ctx: Context) -> None:
    kind = ctx.actor.kind
    if cmd.channel in (Channel.ONLINE, Channel.KIOSK) and kind == ActorKind.CITIZEN:
        return
    if cmd.channel == Channel.KIOSK and kind == ActorKind.ANONYMOUS and cmd.sealed_rrn:
        # A kiosk files for the person its identity check verified, as certificate kiosks
        # issue (the API runs no command for an anonymous caller).
        return
    if kind == ActorKind.ANONYMOUS:
        raise Forbidden(
            "민원을 신청하려면 로그인하세요.", "Log in to apply.", code="login_required"
        )
    if kind == ActorKind.CITIZEN:
        raise Forbidden(
            "시민은 온라인 또는 무인민원발급기로만 신청할 수 있습니다.",
            "Citizens apply online or at a kiosk.",
            field="channel",
        )
    ctx.require("petitions.intake", cmd.jurisdiction)


def _check_form(n: int, ptype: PetitionType, form: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for spec in ptype.fields:
        name = spec["name"]
        value = form.get(name, "")
        field = f"items[{n}].form.{name}"
        if value in ("", None):
            if spec.get("required"):
                raise _bad(
                    f"'{spec.get('label', name)}' 항목을 입력하세요.",
                    f"'{name}' is required.",
                    field,
                )
            continue
        if spec["kind"] == "number":
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise _bad(
                    f"'{spec.get('label', name)}'은(는) 숫자여야 합니다.",
                    f"'{name}' must be a number.",
                    field,
                ) from None
            if not 0 <= number < 1e9:
                raise _bad(
                    f"'{spec.get('label', name)}' 값이 범위를 벗어났습니다.",
                    f"'{name}' is out of range.",
                    field,
                )
            clean[name] = number
        elif spec["kind"] == "choice":
            if value not in spec.get("choices", []):
                raise _bad(
                    f"'{spec.get('label', name)}'의 선택지가 아닙니다.",
                    f"'{name}' is not one of the choices.",
                    field,
                )
            clean[name] = value
        else:
            clean[name] = str(value)[:500]
    content = str(form.get("content", "")).strip()
    if content:
        clean["content"] = content[:4000]
    return clean


def _check_documents(n: int, ptype: PetitionType, item: ApplicationItem) -> list[dict[str, str]]:
    """민원처리법 제10조: documents the office can look up are never asked for; the ones the
    applicant must submit have to be there — handed in, attached as a file, or (where the
    catalog allows it) promised for the counter."""
    field = f"items[{n}].documents"
    handed = {d.strip() for d in item.documents if d.strip()}
    filed = {a.document for a in item.attachments}
    later = {d.strip() for d in item.later if d.strip()}
    known = {d["name"]: d for d in ptype.documents}
    unknown = sorted((handed | filed | later) - known.keys())
    if unknown:
        raise _bad(
            f"이 민원의 구비서류가 아닙니다: {', '.join(unknown)}",
            f"Not a document of this petition type: {', '.join(unknown)}",
            field,
            "unknown_document",
        )
    not_later = sorted(d for d in later if not known[d].get("later"))
    if not_later:
        raise _bad(
            f"'{', '.join(not_later)}'은(는) 창구에서 나중에 낼 수 없습니다. 파일을 올리세요.",
            f"'{', '.join(not_later)}' cannot be handed in later; attach the file.",
            field,
            "document_not_later",
        )
    files.check_refs(item.attachments, field=field)
    missing = [
        d["name"]
        for d in ptype.documents
        if d["source"] == "applicant"
        and d.get("required")
        and d["name"] not in handed | filed | later
    ]
    if missing:
        raise _bad(
            f"제출해야 할 서류가 빠졌습니다: {', '.join(missing)}",
            f"Missing required document(s): {', '.join(missing)}",
            field,
            "missing_document",
        )
    out = [{"name": name, "source": "applicant"} for name in sorted(handed | filed)]
    out += [{"name": name, "source": "later"} for name in sorted(later - handed - filed)]
    out += [
        {"name": d["name"], "source": "lookup"} for d in ptype.documents if d["source"] == "lookup"
    ]
    return out


def _applicant(cmd: SubmitApplication, ctx: Context) -> dict[str, Any]:
    from minwon.accounts.models import User

    if ctx.actor.kind == ActorKind.CITIZEN:
        user = (
            User.objects.filter(pk=ctx.actor.id, kind=User.Kind.CITIZEN).first()
            if ctx.actor.id is not None
            else None
        )
        if user is None:
            raise Forbidden("시민 계정이 아닙니다.", "Not a citizen account.")
        return {
            "applicant_user": user,
            "applicant_name": (user.display_name or user.username)[:60],
            "applicant_birth": user.birth_date,
            "identity_index": user.identity_index,
            "rrn_ciphertext": None,
            "email": (cmd.email.strip() or user.email)[:254],
            "phone": (cmd.phone.strip() or user.phone)[:20],
        }
    name = cmd.applicant_name.strip()
    if not 1 <= len(name) <= 60:
        raise _bad(
            "신청인 이름을 입력하세요(60자 이내).", "Applicant name is required.", "applicant_name"
        )
    birth = cmd.applicant_birth
    index, blob = "", None
    if cmd.sealed_rrn is not None:
        number = cmd.sealed_rrn.open()
        if birth is not None and birth != number.birth_date:
            raise _bad(
                "생년월일이 주민등록번호와 다릅니다.",
                "Birth date does not match the resident number.",
                "applicant_birth",
            )
        birth, index, blob = number.birth_date, cmd.sealed_rrn.index, cmd.sealed_rrn.blob()
    if birth is not None and birth > local(ctx.occurred_at).date():
        raise _bad("생년월일이 미래입니다.", "Birth date is in the future.", "applicant_birth")
    return {
        "applicant_user": None,
        "applicant_name": name,
        "applicant_birth": birth,
        "identity_index": index,
        "rrn_ciphertext": blob,
        "email": cmd.email.strip()[:254],
        "phone": cmd.phone.strip()[:20],
    }


_KNOWN_OFFICES: set[str] = set()


def _office(code: str) -> str:
    """The receiving 시·군·구's code, once known to exist. Codes are never deleted (a
    retired one keeps its row), so a code seen once is remembered for the process; an
    unknown one is asked about every time and refused as ``jurisdictions.get`` refuses."""
    if code not in _KNOWN_OFFICES:
        _KNOWN_OFFICES.add(jurisdictions.get(code).code)
    return code


@functools.cache
def _types_statement(count: int) -> sql.Select:
    meta = PetitionType._meta
    fields = list(meta.concrete_fields)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    marks = ", ".join(["%s"] * count)
    return sql.Select(
        f'SELECT {columns} FROM "{meta.db_table}" WHERE "code" IN ({marks}) AND "active"',  # noqa: S608
        fields,
    )


def _active_types(codes: list[str]) -> dict[str, PetitionType]:
    """The active petition types among ``codes`` (one precompiled read: the catalog can
    change at any time, so it is read per application, but without an ORM compile)."""
    unique = sorted(set(codes))
    rows = _types_statement(len(unique)).rows(*unique)
    names = [f.attname for f in PetitionType._meta.concrete_fields]
    return {t.code: t for t in sql.instances(PetitionType, names, rows)}


@dataclasses.dataclass
class Prepared:
    """A submission checked and worked out, nothing written yet: the office, the channel,
    each item's type with its cleaned form and documents, the applicant and the receipt."""

    office: str
    channel: str
    items: list[tuple[PetitionType, dict[str, Any], list[dict[str, str]], ApplicationItem]]
    applicant: dict[str, Any]
    received_at: datetime
    number: str

    @property
    def plain(self) -> bool:
        """Whether writing it is only rows and events (``submit_many``): no file, no paid
        order, no applicant to notify (the notices' subscriber writes at once), no rule
        that may decide it at reception."""
        return not (
            self.applicant["identity_index"]
            or any(item.attachments or ptype.auto_rule for ptype, _, _, item in self.items)
        )


def prepare(
    cmd: SubmitApplication, ctx: Context, types: dict[str, PetitionType] | None = None
) -> Prepared:
    """Every check of ``submit_application``, in its order, and what it works out, without
    writing: refuses as the handler refuses. ``types``: the active catalog already read
    for these items (``submit_many``'s one read); by default read now."""
    _authorise(cmd, ctx)
    office = _office(cmd.jurisdiction)
    if not cmd.items:
        raise _bad(
            "신청할 민원을 하나 이상 고르세요.", "Choose at least one petition type.", "items"
        )
    if len(cmd.items) > MAX_ITEMS:
        raise _bad(
            f"한 번에 {MAX_ITEMS}건까지 신청할 수 있습니다.",
            f"At most {MAX_ITEMS} petitions per application.",
            "items",
        )
    if cmd.email and ("@" not in cmd.email or len(cmd.email) > 254):
        raise _bad("전자우편 주소가 올바르지 않습니다.", "Invalid e-mail address.", "email")
    channel = CHANNEL_OF[cmd.channel]
    if types is None:
        types = _active_types([i.type_code for i in cmd.items])
    prepared = []
    seen: set[str] = set()
    for n, item in enumerate(cmd.items):
        ptype = types.get(item.type_code)
        if ptype is None:
            raise _bad(
                f"알 수 없는 민원 사무입니다: {item.type_code}",
                f"Unknown petition type: {item.type_code}",
                f"items[{n}].type_code",
                "unknown_type",
            )
        if item.type_code in seen:
            raise _bad(
                "같은 민원을 두 번 신청했습니다.",
                "Duplicate petition type.",
                f"items[{n}].type_code",
            )
        seen.add(item.type_code)
        if channel not in ptype.channels:
            raise _bad(
                f"'{ptype.name}'은(는) 이 경로({channel})로 신청할 수 없습니다.",
                f"'{ptype.code}' cannot be filed through {channel}.",
                "channel",
                "channel_not_allowed",
            )
        prepared.append(
            (ptype, _check_form(n, ptype, item.form), _check_documents(n, ptype, item), item)
        )
    applicant = _applicant(cmd, ctx)
    received_at = local(cmd.occurred_at)
    if cmd.receipt_random and (
        len(cmd.receipt_random) != 8 or any(c not in receipts.ALPHABET for c in cmd.receipt_random)
    ):
        raise _bad("접수번호 난수부가 올바르지 않습니다.", "Bad receipt_random.", "receipt_random")
    number = receipts.new_receipt_number(office, received_at.date(), cmd.receipt_random or None)
    return Prepared(office, channel, prepared, applicant, received_at, number)


@handler(SubmitApplication)
def submit_application(cmd: SubmitApplication, *, ctx: Context) -> dict[str, Any]:
    return write(cmd, ctx, prepare(cmd, ctx))


def _application(cmd: SubmitApplication, ctx: Context, ready: Prepared) -> Application:
    return Application(
        receipt_number=ready.number,
        jurisdiction_id=ready.office,
        channel=ready.channel,
        address=cmd.address.strip()[:200],
        received_at=ready.received_at,
        recorded_at=ctx.recorded_at,
        received_by=str(ctx.actor),
        command_id=cmd.command_id,
        **ready.applicant,
    )


def _petition(
    application: Application,
    seq: int,
    ptype: PetitionType,
    form: dict[str, Any],
    documents: list[dict[str, str]],
) -> Petition:
    received_at = application.received_at
    return Petition(
        application=application,
        seq=seq,
        type=ptype,
        jurisdiction_id=application.jurisdiction_id,
        department=ptype.department,
        form=form,
        documents=documents,
        period=ptype.period,
        received_at=received_at,
        deadline_at=deadlines.deadline(received_at, deadlines.parse_period(ptype.period)),
    )


def _received_note(ptype: PetitionType) -> str:
    return f"{ptype.department}에 배정 대기"


def _summary(petition: Petition, ptype: PetitionType) -> dict[str, Any]:
    return {
        "item": petition.seq,
        "number": petition.number,
        "type_code": ptype.code,
        "type_name": ptype.name,
        "department": petition.department,
        "deadline_at": petition.deadline_at.isoformat(),
        "state": petition.state,
        "decided_by_rule": petition.decided_by_rule,
    }


def _finish(
    cmd: SubmitApplication,
    ctx: Context,
    ready: Prepared,
    petitions: list[dict[str, Any]],
    auto: int,
) -> dict[str, Any]:
    """The last event of a submission and its result."""
    ctx.emit(
        ApplicationReceived(
            receipt_number=ready.number,
            jurisdiction=ready.office,
            channel=ready.channel,
            petitions=len(petitions),
            auto_decided=auto,
            fees=[ptype.fee for ptype, *_ in ready.items],
            payment_order=cmd.payment_order,
        )
    )
    return {
        "receipt_number": ready.number,
        "received_at": ready.received_at.isoformat(),
        "channel": ready.channel,
        "jurisdiction": ready.office,
        "petitions": petitions,
    }


def write(cmd: SubmitApplication, ctx: Context, ready: Prepared) -> dict[str, Any]:
    """The rows and events of a prepared submission, one statement per row."""
    application = _application(cmd, ctx, ready)
    sql.create(application)
    written.note_application(ctx, application)
    petitions: list[dict[str, Any]] = []
    first: Petition | None = None
    auto = 0
    for seq, (ptype, form, documents, item) in enumerate(ready.items, start=1):
        petition = _petition(application, seq, ptype, form, documents)
        sql.create(petition)
        written.note_petition(ctx, petition)
        attach(ctx, petition, item.attachments, Attachment.Kind.APPLICATION, ready.received_at)
        first = first or petition
        record_step(ctx, petition, "received", public_note=_received_note(ptype))
        auto += _auto_decide(ctx, petition)
        petitions.append(_summary(petition, ptype))
    if first is not None:
        names = ", ".join(p["type_name"] for p in petitions)
        tell_applicant(
            ctx,
            first,
            f"민원이 접수되었습니다 ({ready.number})",
            f"{names} 민원이 {fmt(ready.received_at)}에 접수되었습니다. "
            "접수번호로 처리 과정을 확인할 수 있습니다.",
        )
    return _finish(cmd, ctx, ready, petitions, auto)


def _first_step(ctx: Context, petition: Petition) -> PetitionStep:
    """The "received" step ``record_step`` writes for a new petition (not inserted)."""
    return PetitionStep(
        petition=petition,
        action="received",
        state=petition.state,
        actor=str(ctx.actor),
        actor_name=_step_actor_name(ctx),
        department=petition.department,
        at=ctx.occurred_at,
        recorded_at=ctx.recorded_at,
        note="",
        public_note=_received_note(petition.type),
        deadline_at=petition.deadline_at,
        command_id=ctx.command.command_id,
    )


def submit_many(
    submissions: list[tuple[SubmitApplication, Context, Prepared]],
) -> list[dict[str, Any]]:
    """``write`` for many prepared submissions that are all ``plain`` (the continuity
    replay's set path): the same rows, events and results, with one multi-row insert per
    table — the applications, then their petitions, then their first steps — and then each
    command's notes and events in the handler's order. Each ``Context`` is its command's
    own; the caller writes their command records and outbox rows (``bus.record_many``)."""
    if not all(ready.plain and not cmd.payment_order for cmd, _, ready in submissions):
        raise ValueError("submit_many takes plain submissions only")
    applications = [_application(cmd, ctx, ready) for cmd, ctx, ready in submissions]
    written.create_many(applications)
    rows = [
        [_petition(application, seq, ptype, form, documents)
         for seq, (ptype, form, documents, _) in enumerate(ready.items, start=1)]
        for application, (_, _, ready) in zip(applications, submissions, strict=True)
    ]  # fmt: skip
    written.create_many([p for petitions in rows for p in petitions])
    steps = [
        [_first_step(ctx, petition)
         for petition in petitions]
        for petitions, (_, ctx, _) in zip(rows, submissions, strict=True)
    ]  # fmt: skip
    written.create_many([s for of in steps for s in of])
    out = []
    for (cmd, ctx, ready), application, petitions, made in zip(
        submissions, applications, rows, steps, strict=True
    ):
        written.note_application(ctx, application)
        for petition, first_step in zip(petitions, made, strict=True):
            written.note_petition(ctx, petition)
            written.note_step(ctx, first_step)
            ctx.emit(step_recorded(petition, first_step.action))
        summaries = [_summary(p, p.type) for p in petitions]
        out.append(_finish(cmd, ctx, ready, summaries, 0))
    return out


def _auto_decide(ctx: Context, petition: Petition) -> int:
    """Decide at reception when the type's rule says so (recorded with the rule version)."""
    if not petition.type.auto_rule:
        return 0
    evaluated = rules.evaluate(petition.type.auto_rule, petition.form)
    if evaluated is None or not evaluated[1].decided:
        return 0
    rule, outcome = evaluated
    petition.state = Petition.State.DECIDED
    petition.outcome = outcome.outcome
    petition.reasons = outcome.reasons
    petition.decided_at = ctx.recorded_at
    petition.decided_by_rule = rule.label
    save(petition, "state", "outcome", "reasons", "decided_at", "decided_by_rule")
    record_step(
        ctx,
        petition,
        "decided_by_rule",
        note=f"규칙 {rule.label}",
        public_note=f"자동 처리({rule.label}): {outcome.reasons}",
        at=ctx.recorded_at,
    )
    tell_result(
        ctx, petition, f"{Petition.Outcome(outcome.outcome).label} (자동 처리: {rule.label})"
    )
    return 1

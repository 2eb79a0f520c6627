"""민원처리 인터넷공개: the public tracking of a petition by its receipt number, after a
second factor (the applicant's name and birth date, or the PIN printed on the receipt), and
the throttle that keeps receipt numbers from being enumerated.

The throttle (``kernel.throttle``, shared by every worker and server) counts *failed*
look-ups: each is counted before it is evaluated and handed back when it succeeds. An
enumerator fails almost every time and is stopped after ``ADDRESS.limit`` failures per
window; one address cannot guess one receipt's PIN more than ``PROBE.limit`` times per
window, and the applicant at another address is not locked out by it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from django.db import transaction

from minwon.kernel import formats, sql, throttle
from minwon.kernel.errors import NotFound, ValidationFailed
from minwon.kernel.rrn import derived_key
from minwon.petitions import receipts
from minwon.petitions.models import (
    Application,
    Petition,
    PetitionStep,
    TrackingView,
)
from minwon.petitions.written import Received

#: Failed look-ups one client address may make, whatever it probes (against enumeration).
ADDRESS = throttle.Rule(
    "track_address", (20, 600),
    "조회 실패가 너무 많습니다. 10분 뒤에 다시 시도하세요.",
    "Too many failed look-ups. Try again in 10 minutes.", field="receipt_number",
)  # fmt: skip
#: Failed second factors one client address may try on one receipt (against guessing its
#: PIN). The prober is locked, not the receipt: the applicant elsewhere still gets in.
PROBE = throttle.Rule(
    "track_probe", (5, 600),
    "이 접수번호의 확인 정보가 여러 번 틀렸습니다. 10분 뒤에 다시 시도하세요.",
    "Too many wrong second factors for this receipt. Try again in 10 minutes.",
    field="pin",
)  # fmt: skip


def attempt(ip: str, number: str) -> throttle.Taken:
    """Count a look-up before it is evaluated (429 past either limit); the caller refunds
    it when the look-up succeeds, so only failures count."""
    return throttle.take((ADDRESS, f"ip:{ip}"), (PROBE, f"ip:{ip}|rcpt:{number}"))


@dataclasses.dataclass(frozen=True)
class SecondFactor:
    name: str = ""
    birth_date: date | None = None
    pin: str = ""


@functools.cache
def _factor_key() -> bytes:
    return derived_key(b"minwon tracking factor v1")


def factor_digest(name: str, birth: date | None) -> str:
    """The keyed digest of the applicant's name (spaces removed) and birth date that the
    read model holds for the second factor; empty without a birth date (no such factor)."""
    if birth is None:
        return ""
    text = f"{''.join(name.split())}|{birth.isoformat()}"
    return hmac.new(_factor_key(), text.encode(), hashlib.sha256).hexdigest()


def _factor_ok(view: TrackingView, factor: SecondFactor) -> bool:
    if factor.pin:
        return receipts.pin_matches(view.receipt_number, factor.pin)
    if factor.name and factor.birth_date and view.factor:
        given = factor_digest(factor.name, factor.birth_date)
        return hmac.compare_digest(given.encode(), view.factor.encode())
    return False


def _failed() -> NotFound:
    # One answer for "no such number" and "wrong second factor": nothing to enumerate.
    return NotFound(
        "접수번호와 확인 정보가 일치하는 민원이 없습니다.",
        "No petition matches this receipt number and second factor.",
        field="receipt_number",
        code="no_match",
    )


def track(number_text: str, factor: SecondFactor, *, ip: str) -> dict[str, Any]:
    """The public view of an application: every step with its time, department and
    deadline — no personal data beyond what the caller proved to know."""
    if not (factor.pin or (factor.name.strip() and factor.birth_date)):
        raise ValidationFailed(
            "이름과 생년월일 또는 접수증의 확인번호(PIN)를 입력하세요.",
            "Give the applicant's name and birth date, or the PIN on the receipt.",
            field="pin",
        )
    number = receipts.normalize(number_text)
    taken = attempt(ip, number)
    if not receipts.is_well_formed(number):
        raise ValidationFailed(
            "접수번호 형식이 올바르지 않습니다(예: 51130-260309-7K3QX9MZ-4).",
            "Malformed receipt number.",
            field="receipt_number",
        )
    # One read by key; nothing is shown before the second factor passes.
    view = sql.get(TrackingView, number)
    if view is None or not _factor_ok(view, factor):
        raise _failed()
    taken.refund()
    return _shown(view)


def _shown(view: TrackingView) -> dict[str, Any]:
    return {
        "receipt_number": view.receipt_number,
        "received_at": view.received_at.isoformat(),
        "channel": view.channel,
        "petitions": view.petitions,
    }


def public_view(application: Application) -> dict[str, Any]:
    """What the public tracking page shows of ``application``, for the staff and the
    applicant's own pages: its read-model row, or — on an edge whose replica holds an
    application the edge did not build a row for — the same view built on the spot."""
    view = sql.get(TrackingView, application.receipt_number)
    if view is None:
        built = build([application.pk])
        if not built:
            raise _failed()
        view = built[0]
    return _shown(view)


#: Application, Petition, PetitionStep and TrackingView: a data migration passes its own.
Models = tuple[Any, Any, Any, Any]
_MODELS: Models = (Application, Petition, PetitionStep, TrackingView)


def build(
    application_ids: Iterable[int] | None = None,
    *,
    receipt_numbers: Iterable[str] | None = None,
    models: Models = _MODELS,
) -> list[Any]:
    """The read-model rows of these applications (by id or by receipt number) from the
    petitions themselves: one read (petitions, their types and applications joined, and
    their steps left-joined, in item and then step order) for any number of applications.
    ``rebuild`` and the subscribers of commands that change existing petitions use it; a
    submission's subscriber gives ``build_views`` the rows it has just written instead
    (``in_hand``), so the rows after a rebuild equal the rows the events kept."""
    petition, view_model = models[1], models[3]
    if receipt_numbers is not None:
        mine: dict[str, Any] = {"application__receipt_number__in": list(receipt_numbers)}
    else:
        mine = {"application_id__in": list(application_ids or ())}
    rows = (
        petition.objects.filter(**mine)
        .order_by("application_id", "seq", "steps__at", "steps__id")
        .values_list(*_COLUMNS)
    )
    return build_views(rows, view_model)


#: The columns ``build_views`` takes, one row per step (a petition without steps: one row
#: with the step's columns empty), in application, item and step order.
_COLUMNS = (
    "id", "application_id", "seq", "type_id", "department", "state", "deadline_at",
    "paused_since", "outcome", "reasons", "remedies", "decided_by_rule", "type__name",
    "type__public", "application__receipt_number", "application__received_at",
    "application__channel", "application__applicant_name", "application__applicant_birth",
    "steps__action", "steps__state", "steps__at", "steps__department", "steps__public_note",
    "steps__deadline_at",
)  # fmt: skip


def in_hand(received: Received) -> Iterator[tuple[Any, ...]]:
    """The rows ``build_views`` takes, from an application a command has just written with
    all its petitions and steps (``petitions.written``), in the order ``build`` reads them."""
    app = received.application
    for p in sorted(received.petitions, key=lambda p: p.seq):
        head = (
            p.pk, app.pk, p.seq, p.type_id, p.department, str(p.state), p.deadline_at,
            p.paused_since, p.outcome, p.reasons, p.remedies, p.decided_by_rule, p.type.name,
            p.type.public, app.receipt_number, app.received_at, app.channel,
            app.applicant_name, app.applicant_birth,
        )  # fmt: skip
        steps = received.steps_of(p)
        if not steps:
            yield (*head, None, None, None, None, None, None)
        for s in steps:
            yield (*head, s.action, str(s.state), s.at, s.department, s.public_note, s.deadline_at)


def _iso(moment: datetime) -> str:
    """An instant as the row holds it: in UTC, as the database gives it back, whichever
    zone the handler computed it in."""
    return moment.astimezone(UTC).isoformat()


def build_views(rows: Iterable[tuple[Any, ...]], view_model: Any = TrackingView) -> list[Any]:
    """The read-model rows from ``_COLUMNS`` rows, read (``build``) or in hand (``in_hand``):
    the one place a tracking row is made."""
    views: dict[int, Any] = {}
    items: dict[int, dict[str, Any]] = {}
    for (pid, app_id, seq, type_id, department, state, deadline_at, paused_since, outcome,
         reasons, remedies, decided_by_rule, type_name, public, number, received_at, channel,
         name, birth, s_action, s_state, s_at, s_department, s_note, s_deadline) in rows:  # fmt: skip
        item = items.get(pid)
        if item is None:
            view = views.get(app_id)
            if view is None:
                view = views[app_id] = view_model(
                    receipt_number=number,
                    received_at=received_at,
                    channel=channel,
                    factor=factor_digest(name, birth),
                    petitions=[],
                )
            item = items[pid] = {
                "item": seq,
                "number": f"{number}-{seq}",
                "type_code": type_id,
                "type_name": type_name,
                "department": department,
                "state": state,
                "state_label": Petition.State(state).label,
                "deadline_at": _iso(deadline_at),
                "paused": paused_since is not None,
                "outcome": outcome,
                "reasons": reasons if state in ("decided", "notified", "closed") else "",
                "remedies": remedies,
                "decided_by_rule": decided_by_rule,
                "steps": [],
            }
            view.petitions.append(item)
        if s_action is not None and public:
            item["steps"].append(
                {
                    "action": s_action,
                    "action_label": formats.korean("step", s_action),
                    "state": s_state,
                    "at": _iso(s_at),
                    "department": s_department,
                    "note": s_note,
                    "deadline_at": _iso(s_deadline) if s_deadline else None,
                }
            )
    return list(views.values())


def store(views: list[Any], *, model: Any = TrackingView) -> None:
    """Insert or replace these rows (one upsert per 500)."""
    model.objects.bulk_create(
        views,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["receipt_number"],
        update_fields=["received_at", "channel", "factor", "petitions"],
    )


def add(receipt_number: str, received: Received | None = None) -> None:
    """Write the row of a newly received application (a plain insert: it has none yet),
    from its rows in hand when the command gives them (``received``), else read."""
    views = (
        build_views(in_hand(received))
        if received is not None
        else build(receipt_numbers=[receipt_number])
    )
    for view in views:
        sql.create(view)


def refresh(receipt_numbers: Iterable[str]) -> int:
    """Write the rows of these applications anew, inside the caller's transaction (the
    subscribers' one write: an upsert)."""
    views = build(receipt_numbers=receipt_numbers)
    store(views)
    return len(views)


def rebuild(
    *, batch: int = 2000, models: Models = _MODELS, progress: Callable[[int], None] | None = None
) -> int:
    """Every row built again from the petitions, in one transaction (look-ups see the old
    rows until it commits); rows of applications that no longer exist go."""
    total = 0
    with transaction.atomic():
        models[3].objects.all().delete()
        ids = list(models[0].objects.order_by("pk").values_list("pk", flat=True))
        for at in range(0, len(ids), batch):
            views = build(ids[at : at + batch], models=models)
            store(views, model=models[3])
            total += len(views)
            if progress is not None:
                progress(len(views))
    return total


def follow_replica(receipt_numbers: Iterable[str]) -> None:
    """An edge's replica took central's rows of these applications (and dropped the ones
    central closed): their tracking rows follow, and rows left without an application go."""
    TrackingView.objects.exclude(
        receipt_number__in=Application.objects.values("receipt_number")
    ).delete()
    refresh(receipt_numbers)

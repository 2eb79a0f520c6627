"""The petitions' subscribers, inside the emitting command's transaction.

- The public tracking read model (``TrackingView``) follows every application: written
  whole when it is received, and again after each step of one of its petitions (every
  change the public sees is recorded as a step) or a catalog change of a type's name or
  publicity.
- A change of the business calendar: when an administrator declares (or withdraws) a
  임시공휴일, every open petition whose deadline window holds that day has its 처리기한
  counted anew, and the change is recorded on the petition as a step the staff page and
  the public tracking page show ("임시공휴일 지정으로 처리기한 변경: 12월 3일 → 12월 4일").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from minwon.kernel import batch
from minwon.kernel.bus import Context
from minwon.kernel.clock import SEOUL, local
from minwon.kernel.commands import CalendarChanged
from minwon.kernel.registry import subscriber
from minwon.petitions import tracking, written
from minwon.petitions.commands.catalog import PetitionTypesChanged
from minwon.petitions.commands.common import (
    PetitionStepRecorded,
    recompute_deadline,
    record_step,
    save,
)
from minwon.petitions.commands.intake import ApplicationReceived, SubmitApplication
from minwon.petitions.models import OPEN_STATES, Application, Petition


@subscriber(ApplicationReceived)
def application_received(event: ApplicationReceived, *, ctx: Context) -> None:
    """The application's tracking row, written whole once its petitions and their first
    steps are in (the event comes last in the submission), from those rows as the handler
    wrote them (``petitions.written``: nothing read back); in a replayed batch, once for
    all its applications at the batch's end (``kernel.batch``, read, an upsert there)."""
    if batch.active():
        batch.refresh("petitions.tracking", [event.receipt_number], tracking.refresh)
    else:
        tracking.add(event.receipt_number, written.application(ctx, event.receipt_number))


@subscriber(PetitionStepRecorded)
def step_recorded(event: PetitionStepRecorded, *, ctx: Context) -> None:
    """The tracking row of the petition's application, written anew. A submission's own
    steps are left to ``application_received``, which follows them in the same command."""
    if isinstance(ctx.command, SubmitApplication):
        return
    batch.refresh("petitions.tracking", [event.number.rpartition("-")[0]], tracking.refresh)


@subscriber(PetitionTypesChanged)
def types_changed(event: PetitionTypesChanged, *, ctx: Context) -> None:
    """A type's name or publicity changed: every application with a petition of it."""
    ids = list(
        Application.objects.filter(items__type_id__in=event.codes)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for at in range(0, len(ids), 2000):
        views = tracking.build(ids[at : at + 2000])
        tracking.store(views)


def _when(moment: datetime) -> str:
    """ "12월 3일" for a deadline at the end of the working day (the days regime), with the
    hour when it falls inside one (the hours regime: "12월 3일 15:00")."""
    seoul = local(moment)
    text = f"{seoul.month}월 {seoul.day}일"
    return text if seoul.hour == 18 and seoul.minute == 0 else f"{text} {seoul:%H:%M}"


def change_note(withdrawn: bool, old: datetime, new: datetime) -> str:
    why = "임시공휴일 지정 취소로" if withdrawn else "임시공휴일 지정으로"
    return f"{why} 처리기한 변경: {_when(old)} → {_when(new)}"


def _window_holds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), tzinfo=SEOUL)
    return start, start + timedelta(days=1)


@subscriber(CalendarChanged)
def move_open_deadlines(event: CalendarChanged, *, ctx: Context) -> None:
    """Every open petition received before the end of the day and due on or after its start
    is counted again with the new calendar; those whose deadline moved keep the old and the
    new deadline in a step (the step's command is the declaration, so both are audited
    together). A reminder already sent is sent again before the new deadline."""
    start, end = _window_holds(date.fromisoformat(event.day))
    rows = (
        Petition.objects.select_for_update(of=("self",))
        .select_related("application", "type")
        .filter(state__in=OPEN_STATES, received_at__lt=end, deadline_at__gte=start)
        .order_by("id")
    )
    for petition in rows:
        old = petition.deadline_at
        new = recompute_deadline(petition)
        if new == old:
            continue
        petition.deadline_at = new
        if new > old:
            petition.reminded_at = None
        save(petition, "deadline_at", "reminded_at")
        note = change_note(event.withdrawn, old, new)
        record_step(
            ctx, petition, "calendar_change", note=f"{event.name} ({event.day})", public_note=note
        )

"""Administration pages (관리자 화면) in the staff UI: the business calendar (임시공휴일).

Views parse a form, run one command through ``execute`` and render; a refusal is shown on
the form naming the field, with the command's 4xx status, and nothing is changed.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minwon.accounts.actors import actor_for_request
from minwon.kernel import calendar, clock, execute
from minwon.kernel.commands import DeclareHoliday
from minwon.kernel.errors import DomainError
from minwon.kernel.models import DeclaredHoliday
from minwon.kernel.types import NATION, Actor, Channel
from minwon.petitions import queries as petition_queries

from . import policies
from .forms import HolidayForm, WithdrawHolidayForm


def _calendar_actor(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if not policies.can_see_calendar(actor):
        raise PermissionDenied
    return actor


def _changes_of(request: HttpRequest, actor: Actor) -> dict[str, Any] | None:
    """``?changes=<command id>``: what that declaration or withdrawal moved."""
    try:
        command_id = uuid.UUID(request.GET.get("changes", ""))
    except ValueError:
        return None
    return petition_queries.deadline_changes(actor, command_id)


def _after(command_id: uuid.UUID) -> HttpResponse:
    return redirect(f"{reverse('administration-holidays')}?changes={command_id}")


def refuse(form: forms.Form, exc: DomainError, fields: dict[str, str] | None = None) -> int:
    """Put a command's refusal on the form, on the field it names, and give its status."""
    name = (fields or {}).get(exc.field or "", exc.field or "")
    form.add_error(name if name in form.fields else None, exc.message_ko)
    return exc.status


def _holidays_context(actor: Actor, form: HolidayForm) -> dict[str, Any]:
    """The statutory holidays from today to the end of next year, the declared days (from
    last year on), and the form when ``actor`` may declare."""
    today = clock.now().date()
    years = (today.year, today.year + 1)
    declared = list(DeclaredHoliday.objects.filter(date__year__gte=today.year - 1))
    statutory = sorted(
        (day, name)
        for year in years
        for day, name in calendar.statutory_holidays(year).items()
        if day >= today
    )
    return {
        "form": form,
        "declared": [(d, WithdrawHolidayForm(initial={"day": d.date})) for d in declared],
        "statutory": statutory,
        "today": today,
        "years": years,
        "may_declare": policies.can_manage_calendar(actor),
    }


@login_required
def holidays(request: HttpRequest) -> HttpResponse:
    """공휴일 관리: the statutory holidays ahead, the declared ones, and a form to declare
    one; after a declaration, the open deadlines it moved."""
    actor = _calendar_actor(request)
    form = HolidayForm(request.POST or None)
    status = 200
    if request.method == "POST" and not policies.can_manage_calendar(actor):
        raise PermissionDenied
    if request.method == "POST":
        if form.is_valid():
            try:
                result = execute(
                    DeclareHoliday(
                        actor=actor, channel=Channel.ONLINE, jurisdiction=NATION,
                        command_id=form.cleaned_data["command_id"],
                        day=form.cleaned_data["day"], name=form.cleaned_data["name"],
                    )
                )  # fmt: skip
            except DomainError as exc:
                status = refuse(form, exc)
            else:
                day = form.cleaned_data["day"]
                messages.success(
                    request, _("%(month)s월 %(day)s일을 공휴일로 지정했습니다.")
                    % {"month": day.month, "day": day.day},
                )  # fmt: skip
                return _after(result.command_id)
        else:
            status = 400
    context = _holidays_context(actor, form)
    context["changes"] = _changes_of(request, actor) if request.method == "GET" else None
    return render(request, "administration/holidays.html", context, status=status)


@login_required
@require_POST
def withdraw_holiday(request: HttpRequest) -> HttpResponse:
    actor = _calendar_actor(request)
    form = WithdrawHolidayForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("administration-holidays")
    try:
        result = execute(
            DeclareHoliday(
                actor=actor, channel=Channel.ONLINE, jurisdiction=NATION,
                command_id=form.cleaned_data["command_id"], day=form.cleaned_data["day"],
                name="", withdraw=True,
            )
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message_ko)
        return redirect("administration-holidays")
    messages.success(request, _("임시공휴일 지정을 취소했습니다."))
    return _after(result.command_id)

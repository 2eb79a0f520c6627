"""Registry pages. Staff: person search, person (history, household, linked registers,
RRN reveal with a logged reason) and the counter move-in screen — the most used screen
of a 읍·면·동 office, so it is one keyboard-driven form: number, Enter, address, Enter.
Citizens: my household, my address history, an online move-in and the head's
confirmation. Views parse, call a query or ``execute``, and render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from minwon.accounts.actors import actor_for_request
from minwon.kernel import clock, execute
from minwon.kernel.errors import DomainError
from minwon.kernel.models import Jurisdiction
from minwon.kernel.types import NATION, Channel

from . import policies, queries
from .models import Relationship
from .movein import ConfirmMoveIn, Mover, ReportMoveIn


def _staff(request: HttpRequest) -> None:
    policies.require_staff_page(actor_for_request(request))


def _dong_choices(request: HttpRequest) -> list[tuple[str, str]]:
    """읍·면·동 in force inside the clerk's move-in scope (the destination office rule)."""
    qs = policies.move_in_destinations(actor_for_request(request))
    return [(j.code, j.full_name) for j in qs.order_by("full_name")[:400]]


class SearchForm(forms.Form):
    name = forms.CharField(label=_("성명"), max_length=60, required=False)
    birth_date = forms.DateField(
        label=_("생년월일"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    rrn = forms.CharField(
        label=_("주민등록번호"),
        max_length=14,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    purpose = forms.CharField(label=_("열람 목적"), max_length=200, initial="민원 상담")


@login_required
def person_search(request: HttpRequest) -> HttpResponse:
    """The search form posts, and this answers with the results: a birth date or a resident
    number typed into it never ends up in a URL. A ``GET`` with a name and a purpose (a link,
    a bookmark) still searches; one carrying a birth date or a number is refused before it
    gets here (``web.urlguard``)."""
    _staff(request)
    if request.method == "POST":
        form = SearchForm(request.POST)
    else:
        form = SearchForm(request.GET or None)
    results: list[Any] = []
    if form.is_bound and form.is_valid():
        try:
            results = queries.search_persons(
                actor_for_request(request),
                purpose=form.cleaned_data["purpose"],
                name=form.cleaned_data["name"],
                birth_date=form.cleaned_data["birth_date"],
                rrn_text=form.cleaned_data["rrn"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message_ko)
    if form.is_bound and form.data.get("rrn"):
        # A resident number is searched, never echoed back into the page.
        form.data = {**form.data.dict(), "rrn": ""}  # type: ignore[attr-defined]
    rows = [(p, queries.masked_rrn(p)) for p in results]
    return render(request, "registry/staff/search.html", {"form": form, "rows": rows})


class RevealForm(forms.Form):
    purpose = forms.CharField(label=_("열람 사유"), max_length=200)


@login_required
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person (404 when absent or out of scope, for staff and everyone else alike) with
    the linked registers the viewer may read there, each read access-logged."""
    from minwon.licensing import policies as licensing
    from minwon.tax import policies as tax
    from minwon.vehicles import policies as vehicles

    actor = actor_for_request(request)
    purpose = (request.GET.get("purpose") or "").strip()[:200] or "주민 조회"
    person = queries.person_detail(actor, person_id, purpose=purpose)
    revealed = ""
    reveal = RevealForm(request.POST or None)
    if request.method == "POST" and reveal.is_valid():
        try:
            revealed = queries.reveal_rrn(actor, person, purpose=reveal.cleaned_data["purpose"])
        except DomainError as exc:
            reveal.add_error("purpose", exc.message_ko)
    household = queries.household_of(person)
    members = (
        [(m, queries.masked_rrn(m.person)) for m in queries.members_of(household)]
        if household
        else []
    )
    context = {
        "person": person,
        "masked": queries.masked_rrn(person),
        "revealed": revealed,
        "reveal_form": reveal,
        "household": household,
        "members": members,
        "history": queries.address_history(person),
        "vehicles": vehicles.vehicles_of(actor, person.pk, purpose=purpose),
        "bills": tax.bills_of(actor, person.pk, purpose=purpose, limit=20),
        "permits": licensing.permits_of(actor, person.pk, purpose=purpose),
        "may_record_status": person.status == "active"
        and policies.may_record_status(actor, person),
    }
    return render(request, "registry/staff/person.html", context)


class CounterMoveInForm(forms.Form):
    """The counter screen: the mover's number, the destination and the date."""

    rrn = forms.CharField(
        label=_("전입자 주민등록번호"),
        max_length=14,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "autofocus": True}
        ),
    )
    address_code = forms.ChoiceField(label=_("전입지 읍·면·동"))
    road_address = forms.CharField(label=_("도로명주소"), max_length=200)
    address_detail = forms.CharField(label=_("상세주소 (동·호)"), max_length=100, required=False)
    household_id = forms.IntegerField(
        label=_("기존 세대 번호 (새 세대이면 비움)"), required=False, min_value=1
    )
    relationship = forms.ChoiceField(label=_("세대주와의 관계"), choices=Relationship.choices)
    moved_in_on = forms.DateField(label=_("전입일"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, dongs: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address_code"].choices = dongs  # type: ignore[attr-defined]


@login_required
def counter_move_in(request: HttpRequest) -> HttpResponse:
    _staff(request)
    actor = actor_for_request(request)
    dongs = _dong_choices(request)
    whole_household = False
    form = CounterMoveInForm(
        request.POST or None,
        dongs=dongs,
        initial={"moved_in_on": clock.now().date(), "relationship": Relationship.HEAD},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = queries.person_for_move_in(actor, data["rrn"])
            result = execute(
                ReportMoveIn(
                    actor=actor,
                    channel=Channel.COUNTER,
                    jurisdiction=data["address_code"],
                    movers=[Mover(person_id=person.pk, relationship=data["relationship"])],
                    household_id=data["household_id"],
                    road_address=data["road_address"],
                    address_detail=data["address_detail"],
                    address_code=data["address_code"],
                    moved_in_on=data["moved_in_on"],
                )
            ).value
        except DomainError as exc:
            field = (exc.field or "").split(".")[-1]
            field = {"person_id": "rrn", "movers": "rrn"}.get(field, field)
            form.add_error(field if field in form.fields else None, exc.message_ko)
            # A head with members: the whole household moves on its own screen.
            whole_household = exc.code == "head_leaves_members"
        else:
            return render(
                request,
                "registry/staff/move_in_done.html",
                {"result": result, "person": person, "masked": queries.masked_rrn(person)},
            )
    context = {"form": form, "whole_household": whole_household}
    return render(request, "registry/staff/move_in.html", context)


# --- citizens -----------------------------------------------------------------------------


def _me(request: HttpRequest) -> Any:
    return queries.person_by_index(getattr(request.user, "identity_index", ""))


@login_required
def my_household(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    household = queries.household_of(me) if me else None
    if request.method == "POST" and me is not None:
        try:
            execute(
                ConfirmMoveIn(
                    actor=actor_for_request(request),
                    channel=Channel.ONLINE,
                    jurisdiction=household.jurisdiction_id if household else NATION,
                    pending_id=int(request.POST.get("pending_id", "0") or 0),
                    accept=request.POST.get("accept") == "1",
                )
            )
            messages.success(request, _("전입 확인 결과를 저장했습니다."))
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message_ko", str(exc)))
        return redirect("registry-my-household")
    context = {
        "me": me,
        "household": household,
        "members": queries.members_of(household) if household else [],
        "pending": queries.pending_for_head(me) if me else [],
    }
    return render(request, "registry/citizen/household.html", context)


@login_required
def my_history(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    history = queries.address_history(me) if me else []
    return render(request, "registry/citizen/history.html", {"me": me, "history": history})


class OnlineMoveInForm(forms.Form):
    address_code = forms.ChoiceField(label=_("전입지 읍·면·동"))
    road_address = forms.CharField(label=_("도로명주소"), max_length=200)
    address_detail = forms.CharField(label=_("상세주소 (동·호)"), max_length=100, required=False)
    household_id = forms.IntegerField(
        label=_("들어갈 세대 번호 (새 세대이면 비움)"), required=False, min_value=1
    )
    relationship = forms.ChoiceField(label=_("세대주와의 관계"), choices=Relationship.choices)
    moved_in_on = forms.DateField(label=_("전입일"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dongs = Jurisdiction.objects.filter(level="eupmyeondong", valid_to__isnull=True)
        self.fields["address_code"].choices = [  # type: ignore[attr-defined]
            (j.code, j.full_name) for j in dongs.order_by("full_name")
        ]


@login_required
def online_move_in(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form = OnlineMoveInForm(request.POST or None, initial={"moved_in_on": clock.now().date()})
    if request.method == "POST" and me is not None and form.is_valid():
        data = form.cleaned_data
        try:
            result = execute(
                ReportMoveIn(
                    actor=actor_for_request(request),
                    channel=Channel.ONLINE,
                    jurisdiction=data["address_code"],
                    movers=[Mover(person_id=me.pk, relationship=data["relationship"])],
                    household_id=data["household_id"],
                    road_address=data["road_address"],
                    address_detail=data["address_detail"],
                    address_code=data["address_code"],
                    moved_in_on=data["moved_in_on"],
                )
            ).value
        except DomainError as exc:
            field = (exc.field or "").split(".")[-1]
            form.add_error(field if field in form.fields else None, exc.message_ko)
        else:
            if result["state"] == "awaiting_head":
                messages.info(request, _("세대주의 확인을 기다리고 있습니다."))
            else:
                messages.success(request, _("전입신고가 처리되었습니다. 전자고지함을 확인하세요."))
            return redirect("registry-my-household")
    return render(request, "registry/citizen/move_in.html", {"form": form, "me": me})

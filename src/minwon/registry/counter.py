"""Counter pages for household changes (세대 변경): the staff household page, 세대주 변경,
세대 합가, 세대 분리·분가, 세대 전체 전입, 사망·국외이주 신고, and the person picker that takes
part of a name and a birth date.

Each change is two steps on one screen, as a clerk works with the resident at the desk:
the form, then a confirmation that lists who is affected and what the linked registers
will do (``registry.effects``), then the command (``kernel.execute``) and the done page
listing what the subscribers actually changed. A page that changes a household or a person
reads it with the permission of the change, so out of scope, absent and "not yours to
change" are the same 404. Refused input comes back on the form, beside the field it names,
with a 4xx status; nothing is changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from minwon.accounts.actors import actor_for_request
from minwon.kernel import clock, execute
from minwon.kernel.errors import DomainError, ValidationFailed
from minwon.kernel.types import Actor, Channel

from . import effects, policies, queries
from .commands import ChangeHouseholdHead, RecordDeath, RecordEmigration
from .household import MergeHouseholds, MoveHousehold, SplitHousehold
from .models import Household, Person, PersonStatus, Relationship
from .movein import Mover
from .snapshot import Member

PURPOSE = "세대 변경 처리"
MEMBER_RELATIONSHIPS = [(v, label) for v, label in Relationship.choices if v != Relationship.HEAD]
DATE = forms.DateInput(attrs={"type": "date"})


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DATE,
        error_messages={"invalid": _("날짜를 YYYY-MM-DD 형식으로 입력하세요.")},
    )


def _attach(
    form: forms.Form,
    exc: DomainError,
    aliases: dict[str, str] | None = None,
    movers: list[Mover] | None = None,
) -> None:
    """Put a command's refusal beside the field it names (or above the form). A refusal
    about the n-th mover (``members.<n>.…``) goes to that person's relationship choice."""
    parts = (exc.field or "").split(".")
    name = parts[-1]
    if movers and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(movers):
        name = f"rel_{movers[int(parts[1])].person_id}"
    name = (aliases or {}).get(name, name)
    if name not in form.fields:
        name = (aliases or {}).get(parts[0], name)
    form.add_error(name if name in form.fields else None, exc.message_ko)


def _page(request: HttpRequest, context: dict[str, Any], status: int | None = None) -> HttpResponse:
    form = context.get("form")
    if status is None:
        status = 400 if request.method == "POST" and form is not None and form.errors else 200
    return render(request, "registry/staff/counter_step.html", context, status=status)


def _members(household: Household) -> list[tuple[Member, str]]:
    return [(m, queries.masked_rrn(m.person)) for m in queries.members_of(household)]


def _confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "1"


def _editing(request: HttpRequest) -> bool:
    """The clerk pressed 다시 입력 on the confirmation: back to the form, as filled."""
    return request.POST.get("edit") == "1"


def _fresh(household_id: int) -> Household:
    """The household as the command left it (for the done page)."""
    return Household.objects.select_related("jurisdiction", "head").get(pk=household_id)


def _today() -> date:
    return clock.now().date()


def _staff(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    policies.require_staff_page(actor)
    return actor


def _household(actor: Actor, household_id: int, permission: str) -> Household:
    household = policies.household(actor, household_id, purpose=PURPOSE, permission=permission)
    if household.dissolved_on is not None:
        raise policies.household_not_found()
    return household


# --- the household page ---------------------------------------------------------------------


@login_required
def household_page(request: HttpRequest, household_id: int) -> HttpResponse:
    """One current or past household in scope, its members, and the changes the viewer
    may make to it."""
    actor = _staff(request)
    household = policies.household(actor, household_id, purpose="세대 조회")
    members = _members(household) if household.dissolved_on is None else []
    context = {
        "household": household,
        "members": members,
        "may_change": household.dissolved_on is None
        and policies.may_change_household(actor, household),
        "may_move": household.dissolved_on is None and policies.may_move_in_somewhere(actor),
    }
    return render(request, "registry/staff/household.html", context)


# --- 세대주 변경 --------------------------------------------------------------------------------


class HeadForm(forms.Form):
    new_head = forms.TypedChoiceField(label=_("새 세대주"), coerce=int)
    former_head_relationship = forms.ChoiceField(
        label=_("전 세대주와 새 세대주의 관계"), choices=MEMBER_RELATIONSHIPS
    )

    def __init__(self, *args: Any, members: list[Member], head_id: int | None, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["new_head"].choices = [  # type: ignore[attr-defined]
            (m.person_id, f"{m.person.name} ({m.get_relationship_display()})")
            for m in members
            if m.person_id != head_id
        ]


@login_required
@require_http_methods(["GET", "POST"])
def change_head(request: HttpRequest, household_id: int) -> HttpResponse:
    actor = _staff(request)
    household = _household(actor, household_id, policies.HOUSEHOLD)
    members = _members(household)
    plain = [m for m, _masked in members]
    form = HeadForm(request.POST or None, members=plain, head_id=household.head_id)
    context: dict[str, Any] = {
        "kind": "head",
        "title": _("세대주 변경"),
        "hint": _(
            "세대원 가운데 새 세대주를 고르고, 전 세대주가 새 세대주와 어떤 관계인지 정합니다."
        ),
        "household": household,
        "members": members,
        "form": form,
        "form_id": "change-head",
        "submit": _("세대주 변경 처리"),
    }
    if not plain or len(plain) < 2:
        context["blocked"] = _("세대원이 세대주 한 사람뿐이라 바꿀 사람이 없습니다.")
        return _page(request, context)
    if request.method != "POST" or _editing(request) or not form.is_valid():
        return _page(request, context)
    data = form.cleaned_data
    if not _confirmed(request):
        new = next(m for m in plain if m.person_id == data["new_head"])
        context.update(
            stage="confirm",
            summary=[
                (_("새 세대주"), new.person.name),
                (_("전 세대주"), household.head.name if household.head else "-"),
                (
                    _("전 세대주의 관계"),
                    dict(MEMBER_RELATIONSHIPS)[data["former_head_relationship"]],
                ),
            ],
            effects=[],
            no_effects=_("주소가 바뀌지 않으므로 자동차·지방세·인허가 대장은 그대로입니다."),
        )
        return _page(request, context)
    try:
        result = execute(
            ChangeHouseholdHead(
                actor=actor,
                channel=Channel.COUNTER,
                jurisdiction=household.jurisdiction_id,
                household_id=household.pk,
                new_head_id=data["new_head"],
                former_head_relationship=data["former_head_relationship"],
            )
        ).value
    except DomainError as exc:
        _attach(form, exc, {"new_head_id": "new_head"})
        return _page(request, context, status=exc.status)
    household = _fresh(household.pk)
    context.update(
        stage="done", result=result, household=household, members=_members(household), changes=[]
    )
    return _page(request, context)


# --- 세대 전체 전입 ---------------------------------------------------------------------------


class MoveHouseholdForm(forms.Form):
    rrn = forms.CharField(
        label=_("세대주 주민등록번호"),
        max_length=14,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "autofocus": True}
        ),
    )
    address_code = forms.ChoiceField(label=_("전입지 읍·면·동"))
    road_address = forms.CharField(label=_("도로명주소"), max_length=200)
    address_detail = forms.CharField(label=_("상세주소 (동·호)"), max_length=100, required=False)
    moved_in_on = _date_field(_("전입일"))

    def __init__(self, *args: Any, dongs: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["address_code"].choices = dongs  # type: ignore[attr-defined]


def _dongs(actor: Actor) -> list[tuple[str, str]]:
    qs = policies.move_in_destinations(actor)
    return [(j.code, j.full_name) for j in qs.order_by("full_name")[:400]]


def _head_household(actor: Actor, rrn_text: str) -> Household:
    """The household the person with this number heads (the national move-in look-up)."""
    head = queries.person_for_move_in(actor, rrn_text)
    household = queries.household_of(head)
    if household is None or household.head_id != head.pk:
        raise ValidationFailed(
            "이 주민은 세대주가 아닙니다. 한 사람의 전입은 전입신고 화면에서 처리합니다.",
            "This resident does not head a household; report a single move-in instead.",
            field="rrn",
        )
    return household


@login_required
@require_http_methods(["GET", "POST"])
def move_household(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    policies.require_move_in_look_up(actor)
    form = MoveHouseholdForm(
        request.POST or None, dongs=_dongs(actor), initial={"moved_in_on": _today()}
    )
    context: dict[str, Any] = {
        "kind": "move",
        "title": _("세대 전체 전입"),
        "hint": _(
            "세대주의 주민등록번호와 새 주소를 입력하면 세대원 모두가 관계를 그대로 유지한 채 "
            "한 번에 전입합니다. 다른 시·군·구로의 전입은 전입지 관할 관서가 접수합니다."
        ),
        "form": form,
        "form_id": "move-household",
        "submit": _("세대 전체 전입 처리"),
    }
    if request.method != "POST" or _editing(request) or not form.is_valid():
        return _page(request, context)
    data = form.cleaned_data
    try:
        household = _head_household(actor, data["rrn"])
        members = _members(household)
        context.update(household=household, members=members)
        if not _confirmed(request):
            address = f"{data['road_address']} {data['address_detail']}".strip()
            context.update(
                stage="confirm",
                summary=[
                    (_("현재 주소"), household.full_address),
                    (_("새 주소"), address),
                    (_("전입일"), data["moved_in_on"].isoformat()),
                ],
                effects=effects.of_move(
                    actor, [m.person_id for m, _x in members], address, purpose="전입신고"
                ),
            )
            return _page(request, context)
        result = execute(
            MoveHousehold(
                actor=actor,
                channel=Channel.COUNTER,
                jurisdiction=data["address_code"],
                household_id=household.pk,
                road_address=data["road_address"],
                address_detail=data["address_detail"],
                address_code=data["address_code"],
                moved_in_on=data["moved_in_on"],
            )
        ).value
    except DomainError as exc:
        _attach(form, exc, {"movers": "rrn", "person_id": "rrn", "household_id": "rrn"})
        context.pop("stage", None)
        return _page(request, context, status=exc.status)
    new = _fresh(result["household_id"])
    context.update(
        stage="done",
        result=result,
        household=new,
        members=_members(new),
        changes=result["changes"],
    )
    return _page(request, context)


# --- 세대 합가 --------------------------------------------------------------------------------


class MergeForm(forms.Form):
    absorbed_household_id = forms.IntegerField(
        label=_("합가할 세대의 세대 번호"),
        min_value=1,
        error_messages={"invalid": _("세대 번호는 숫자로 입력하세요.")},
    )
    moved_in_on = _date_field(_("합가일"))

    def add_members(self, members: list[Member]) -> None:
        for m in members:
            self.fields[f"rel_{m.person_id}"] = forms.ChoiceField(
                label=_("%(name)s님과 이 세대 세대주의 관계") % {"name": m.person.name},
                choices=MEMBER_RELATIONSHIPS,
            )


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, household_id: int) -> HttpResponse:
    actor = _staff(request)
    household = _household(actor, household_id, policies.HOUSEHOLD)
    form = MergeForm(request.POST or None, initial={"moved_in_on": _today()})
    context: dict[str, Any] = {
        "kind": "merge",
        "title": _("세대 합가"),
        "hint": _(
            "다른 세대의 세대원 모두가 이 세대에 들어옵니다. 합가하는 세대는 없어지고, "
            "주소가 다르면 이 세대의 주소로 전입한 것으로 처리됩니다."
        ),
        "household": household,
        "members": _members(household),
        "form": form,
        "form_id": "merge-households",
        "submit": _("세대 합가 처리"),
    }
    if request.method != "POST" or _editing(request) or not form.is_valid():
        return _page(request, context)
    try:
        absorbed = _household(actor, form.cleaned_data["absorbed_household_id"], policies.HOUSEHOLD)
    except DomainError:
        form.add_error("absorbed_household_id", _("합가할 세대를 찾을 수 없습니다."))
        return _page(request, context, status=404)
    joining = [m for m, _x in _members(absorbed)]
    context["joining"] = _members(absorbed)
    if not any(key.startswith("rel_") for key in request.POST):
        fresh = MergeForm(initial=form.cleaned_data)
        fresh.add_members(joining)
        context.update(stage="relationships", form=fresh)
        return _page(request, context)
    form.add_members(joining)
    form.full_clean()
    if _editing(request) or form.errors:
        context["stage"] = "relationships"
        return _page(request, context)
    data = form.cleaned_data
    movers = [
        Mover(person_id=m.person_id, relationship=data[f"rel_{m.person_id}"]) for m in joining
    ]
    moved = absorbed.full_address != household.full_address
    if not _confirmed(request):
        context.update(
            stage="confirm",
            summary=[
                (_("합가하는 세대"), f"{absorbed.pk} · {absorbed.full_address}"),
                (_("합가일"), data["moved_in_on"].isoformat()),
            ],
            effects=effects.of_move(
                actor, [m.person_id for m in joining], household.full_address, purpose=PURPOSE
            )
            if moved
            else [],
            no_effects=_("두 세대의 주소가 같아 연계 대장의 주소는 바뀌지 않습니다."),
        )
        return _page(request, context)
    try:
        result = execute(
            MergeHouseholds(
                actor=actor,
                channel=Channel.COUNTER,
                jurisdiction=household.jurisdiction_id,
                household_id=household.pk,
                absorbed_household_id=absorbed.pk,
                members=movers,
                moved_in_on=data["moved_in_on"],
            )
        ).value
    except DomainError as exc:
        _attach(form, exc, movers=movers)
        return _page(request, context, status=exc.status)
    context.update(
        stage="done", result=result, members=_members(household), changes=result["changes"]
    )
    return _page(request, context)


# --- 세대 분리·분가 ---------------------------------------------------------------------------


STAY = "stay"


class SplitForm(forms.Form):
    new_head = forms.TypedChoiceField(label=_("새 세대의 세대주"), coerce=int)
    address_code = forms.ChoiceField(
        label=_("새 주소의 읍·면·동 (같은 주소면 그대로)"), required=False
    )
    road_address = forms.CharField(label=_("새 도로명주소"), max_length=200, required=False)
    address_detail = forms.CharField(label=_("상세주소 (동·호)"), max_length=100, required=False)
    moved_in_on = _date_field(_("분리일"))

    def __init__(
        self, *args: Any, members: list[Member], head_id: int | None,
        dongs: list[tuple[str, str]], **kw: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kw)
        others = [m for m in members if m.person_id != head_id]
        self.others = others
        self.fields["new_head"].choices = [  # type: ignore[attr-defined]
            (m.person_id, f"{m.person.name} ({m.get_relationship_display()})") for m in others
        ]
        self.fields["address_code"].choices = [  # type: ignore[attr-defined]
            ("", _("같은 주소에서 세대 분리")),
            *dongs,
        ]
        for m in others:
            self.fields[f"rel_{m.person_id}"] = forms.ChoiceField(
                label=_("%(name)s님 (새 세대주가 아니면)") % {"name": m.person.name},
                choices=[(STAY, _("이 세대에 남음")), *MEMBER_RELATIONSHIPS],
                initial=STAY,
                required=False,
            )


@login_required
@require_http_methods(["GET", "POST"])
def split(request: HttpRequest, household_id: int) -> HttpResponse:
    actor = _staff(request)
    household = _household(actor, household_id, policies.HOUSEHOLD)
    members = _members(household)
    plain = [m for m, _x in members]
    form = SplitForm(
        request.POST or None, members=plain, head_id=household.head_id, dongs=_dongs(actor),
        initial={"moved_in_on": _today()},
    )  # fmt: skip
    context: dict[str, Any] = {
        "kind": "split",
        "title": _("세대 분리·분가"),
        "hint": _(
            "세대원 일부가 따로 세대를 이룹니다. 같은 주소에서 세대만 나누거나(세대 분리), "
            "새 주소로 전입하며 나갑니다(분가). 세대주는 남는 세대의 세대주로 남습니다."
        ),
        "household": household,
        "members": members,
        "form": form,
        "form_id": "split-household",
        "submit": _("세대 분리 처리"),
    }
    if not form.others:
        context["blocked"] = _("세대주 말고는 세대원이 없어 분리할 사람이 없습니다.")
        return _page(request, context)
    if request.method != "POST" or _editing(request) or not form.is_valid():
        return _page(request, context)
    data = form.cleaned_data
    head_id = data["new_head"]
    movers = [Mover(person_id=head_id, relationship=Relationship.HEAD)]
    movers += [
        Mover(person_id=m.person_id, relationship=data[f"rel_{m.person_id}"])
        for m in form.others
        if m.person_id != head_id and data.get(f"rel_{m.person_id}") not in (None, "", STAY)
    ]
    code = data["address_code"] or ""
    address = (
        f"{data['road_address']} {data['address_detail']}".strip()
        if code
        else f"{household.road_address} {data['address_detail'] or household.address_detail}".strip()
    )
    if not _confirmed(request):
        names = {m.person_id: m.person.name for m in plain}
        context.update(
            stage="confirm",
            summary=[
                (_("새 세대"), ", ".join(names[m.person_id] for m in movers)),
                (_("새 세대의 주소"), address),
                (_("분리일"), data["moved_in_on"].isoformat()),
            ],
            effects=effects.of_move(actor, [m.person_id for m in movers], address, purpose=PURPOSE)
            if address != household.full_address
            else [],
            no_effects=_("주소가 그대로여서 연계 대장의 주소는 바뀌지 않습니다."),
        )
        return _page(request, context)
    try:
        result = execute(
            SplitHousehold(
                actor=actor,
                channel=Channel.COUNTER,
                jurisdiction=household.jurisdiction_id,
                household_id=household.pk,
                members=movers,
                road_address=data["road_address"] if code else "",
                address_detail=data["address_detail"],
                address_code=code,
                moved_in_on=data["moved_in_on"],
            )
        ).value
    except DomainError as exc:
        _attach(form, exc, {"members": "new_head"}, movers=movers)
        return _page(request, context, status=exc.status)
    new = Household.objects.select_related("jurisdiction", "head").get(
        pk=result["new_household_id"]
    )
    context.update(
        stage="done", result=result, household=new, members=_members(new),
        changes=result["changes"],
    )  # fmt: skip
    return _page(request, context)


# --- 사망·국외이주 신고 --------------------------------------------------------------------------


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("신고 종류"),
        choices=[(PersonStatus.DECEASED, _("사망")), (PersonStatus.EMIGRATED, _("국외이주"))],
        widget=forms.RadioSelect,
    )
    effective_on = _date_field(_("사망일 또는 출국일"))

    def __init__(self, *args: Any, successors: list[Member], **kw: Any) -> None:
        super().__init__(*args, **kw)
        if successors:
            self.fields["new_head"] = forms.TypedChoiceField(
                label=_("남는 세대의 새 세대주"),
                coerce=int,
                choices=[
                    (m.person_id, f"{m.person.name} ({m.get_relationship_display()})")
                    for m in successors
                ],
            )


@login_required
@require_http_methods(["GET", "POST"])
def record_status(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = _staff(request)
    person = policies.person(actor, person_id, purpose=PURPOSE, permission=policies.STATUS)
    household = queries.household_of(person)
    members = _members(household) if household else []
    successors = (
        [m for m, _x in members if m.person_id != person.pk]
        if household and household.head_id == person.pk
        else []
    )
    form = StatusForm(
        request.POST or None, successors=successors, initial={"effective_on": _today()}
    )
    context: dict[str, Any] = {
        "kind": "status",
        "title": _("사망·국외이주 신고"),
        "hint": _(
            "주민이 사망하였거나 국외로 이주하면 세대에서 빠지고 거주자에서 제외됩니다. "
            "세대주라면 남는 세대원 가운데 새 세대주를 정합니다."
        ),
        "person": person,
        "masked": queries.masked_rrn(person),
        "household": household,
        "members": members,
        "form": form,
        "form_id": "record-status",
        "submit": _("신고 처리"),
    }
    if person.status != PersonStatus.ACTIVE:
        context["blocked"] = _("이미 %(status)s 상태입니다.") % {
            "status": person.get_status_display()
        }
        return _page(request, context, status=409 if request.method == "POST" else 200)
    if request.method != "POST" or _editing(request) or not form.is_valid():
        return _page(request, context)
    data = form.cleaned_data
    if not _confirmed(request):
        alone = household is not None and len(members) == 1
        context.update(
            stage="confirm",
            summary=[
                (_("신고 종류"), dict(form.fields["status"].choices)[data["status"]]),  # type: ignore[attr-defined]
                (_("변동일"), data["effective_on"].isoformat()),
                (
                    _("세대"),
                    _("세대가 없어집니다")
                    if alone
                    else _("세대에서 빠집니다")
                    if household
                    else "-",
                ),
            ],
            effects=effects.of_status(actor, person, data["status"], purpose=PURPOSE),
            no_effects=_("연계 대장에 이 주민의 기록이 없습니다."),
        )
        return _page(request, context)
    kind = RecordDeath if data["status"] == PersonStatus.DECEASED else RecordEmigration
    try:
        result = execute(
            kind(
                actor=actor,
                channel=Channel.COUNTER,
                jurisdiction=person.jurisdiction_id,
                person_id=person.pk,
                effective_on=data["effective_on"],
                new_head_id=data.get("new_head"),
            )
        ).value
    except DomainError as exc:
        _attach(form, exc, {"new_head_id": "new_head", "person_id": "status"})
        return _page(request, context, status=exc.status)
    person.refresh_from_db()
    context.update(
        stage="done", result=result, changes=result["changes"], members=[], household=None
    )
    return _page(request, context)


# --- the person picker ------------------------------------------------------------------------


class PickForm(forms.Form):
    name = forms.CharField(label=_("성명 (일부만 입력해도 됩니다)"), max_length=60)
    birth_date = forms.DateField(
        label=_("생년월일"),
        required=False,
        widget=DATE,
        error_messages={"invalid": _("생년월일을 YYYY-MM-DD 형식으로 입력하세요.")},
    )
    purpose = forms.CharField(label=_("열람 목적"), max_length=200, initial="민원 상담")


@login_required
@require_http_methods(["GET", "POST"])
def pick_person(request: HttpRequest) -> HttpResponse:
    """성명 일부 + 생년월일 → the persons in scope (POST: a birth date is never in a URL)."""
    actor = _staff(request)
    form = PickForm(request.POST or None)
    rows: list[tuple[Person, str]] = []
    searched = request.method == "POST" and form.is_valid()
    if searched:
        try:
            found = queries.search_persons(
                actor,
                purpose=form.cleaned_data["purpose"],
                name=form.cleaned_data["name"],
                birth_date=form.cleaned_data["birth_date"],
            )
        except DomainError as exc:
            _attach(form, exc, {})
            searched = False
        else:
            rows = [(p, queries.masked_rrn(p)) for p in found]
    status = 400 if request.method == "POST" and form.errors else 200
    context = {"form": form, "rows": rows, "searched": searched}
    return render(request, "registry/staff/pick.html", context, status=status)

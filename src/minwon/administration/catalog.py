"""민원 사무 관리: the catalog's petition types with the version each stands at, one type's
published versions, and publishing its next version (처리기간, 수수료, 결재선). A version is
never edited: a change is the next one (``PublishPetitionTypeVersion``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from minwon.accounts.actors import actor_for_request
from minwon.kernel import execute
from minwon.kernel.errors import DomainError
from minwon.kernel.types import NATION, Actor, Channel
from minwon.petitions.commands import PublishPetitionTypeVersion
from minwon.petitions.models import PetitionType

from . import policies
from .forms import CatalogVersionForm
from .views import refuse


def _initial(ptype: PetitionType) -> dict[str, Any]:
    return {"code": ptype.code, "period": ptype.period, "fee": ptype.fee,
            "fee_note": ptype.fee_note, "approval_line": ptype.approval_line}  # fmt: skip


def _context(actor: Actor, ptype: PetitionType | None, form: CatalogVersionForm | None) -> Any:
    types = PetitionType.objects.filter(active=True).annotate(latest=Max("versions__number"))
    return {
        "types": types.order_by("category", "name"),
        "ptype": ptype,
        "versions": list(ptype.versions.order_by("-number")) if ptype else [],
        "form": form,
        "may_publish": policies.can_publish_catalog(actor),
    }


@login_required
def catalog(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policies.can_see_catalog(actor):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    code = (data or request.GET).get("code", "")
    ptype = PetitionType.objects.filter(code=code, active=True).first() if code else None
    if data is not None and not policies.can_publish_catalog(actor):
        raise PermissionDenied
    form = CatalogVersionForm(data, initial=_initial(ptype)) if ptype else None
    status = 200 if ptype or not code else 404
    if data is not None and form is not None:
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                result = execute(
                    PublishPetitionTypeVersion(
                        actor=actor, channel=Channel.ONLINE, jurisdiction=NATION,
                        command_id=d["command_id"], code=d["code"], period=d["period"],
                        fee=d["fee"], fee_note=d["fee_note"],
                        approval_line=list(d["approval_line"]), note=d["note"],
                    )
                )  # fmt: skip
            except DomainError as exc:
                status = refuse(form, exc)
            else:
                messages.success(
                    request, _("%(name)s의 제%(n)s판을 공포했습니다.")
                    % {"name": ptype.name, "n": result.value["version"]},  # type: ignore[union-attr]
                )  # fmt: skip
                return redirect(f"{reverse('administration-catalog')}?code={ptype.code}")  # type: ignore[union-attr]
    context = _context(actor, ptype, form)
    return render(request, "administration/catalog.html", context, status=status)

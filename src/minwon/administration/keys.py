"""Agency keys (기관 API 키): the keys of the agency systems in the administrator's
jurisdiction, issuing one, rotating its secret and revoking it. The secret is drawn here,
shown once on the answer to the POST that made it, and only its hash travels in the
command (and so in the command record and the audit chain)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from minwon.accounts.actors import actor_for_request
from minwon.accounts.commands import RegisterAgencyClient, RevokeAgencyClient, RotateAgencyKey
from minwon.kernel import execute
from minwon.kernel.errors import DomainError, IdempotencyConflict
from minwon.kernel.types import Actor, Channel
from minwon.web.api import key_hash

from . import policies
from .forms import AgencyKeyForm, KeyActionForm
from .views import refuse


def _admin(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if not policies.can_manage_accounts(actor):
        raise PermissionDenied
    return actor


def _form(actor: Actor, data: Any = None) -> AgencyKeyForm:
    offices = policies.account_offices(actor)
    grantable = policies.key_permissions(actor, offices[0][0]) if offices else []
    return AgencyKeyForm(data, offices=offices, grantable=grantable)


def _page(
    request: HttpRequest, actor: Actor, form: AgencyKeyForm, *, status: int = 200,
    shown: dict[str, str] | None = None,
) -> HttpResponse:  # fmt: skip
    rows = [(k, KeyActionForm()) for k in policies.agency_keys(actor).order_by("-created_at")]
    context = {"form": form, "rows": rows, "shown": shown}
    response = render(request, "administration/agency_keys.html", context, status=status)
    if shown:
        response["Cache-Control"] = "no-store"
    return response


ALREADY = gettext_noop("이미 처리된 요청입니다. 키는 처음 한 번만 표시됩니다.")


def _shown(result: Any, name: str, key: str) -> dict[str, str] | None:
    return None if result is None else {"name": name, "key": key}


def _run(request: HttpRequest, command: Any) -> Any:
    """Execute; a form sent again carries its first command id with a freshly drawn secret,
    which the pipeline refuses as other content under a known id: that is the same request
    done already (None), and its key is not shown again."""
    try:
        result = execute(command)
    except IdempotencyConflict:
        result = None
    if result is None or result.replayed:
        messages.info(request, _(ALREADY))
        return None
    return result


@login_required
def agency_keys(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = _form(actor, request.POST or None)
    if request.method != "POST":
        return _page(request, actor, form)
    if not form.is_valid():
        return _page(request, actor, form, status=400)
    data = form.cleaned_data
    prefix = "ag" + secrets.token_hex(4)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    try:
        result = _run(
            request,
            RegisterAgencyClient(
                actor=actor, channel=Channel.ONLINE, jurisdiction=data["jurisdiction"],
                command_id=data["command_id"], name=data["name"], prefix=prefix,
                key_hash=key_hash(key), permissions=list(data["permissions"]),
            ),
        )  # fmt: skip
    except DomainError as exc:
        return _page(request, actor, form, status=refuse(form, exc))
    shown = _shown(result, data["name"], key)
    return _page(request, actor, _form(actor), shown=shown)


@login_required
@require_POST
def agency_key_action(request: HttpRequest, client_id: int, name: str) -> HttpResponse:
    actor = actor_for_request(request)
    if not policies.can_manage_accounts(actor) or name not in ("rotate", "revoke"):
        raise Http404
    try:
        client = policies.agency_key(actor, client_id)
    except DomainError:
        raise Http404 from None
    form = KeyActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("요청 번호가 올바르지 않습니다. 화면을 새로 고치세요."))
        return redirect("administration-agency-keys")
    base: dict[str, Any] = {"actor": actor, "channel": Channel.ONLINE, "client_id": client.pk,
                            "jurisdiction": client.jurisdiction_id,
                            "command_id": form.cleaned_data["command_id"]}  # fmt: skip
    try:
        if name == "revoke":
            execute(RevokeAgencyClient(**base))
            messages.success(request, _("기관 키를 폐기했습니다."))
            return redirect("administration-agency-keys")
        key = f"{client.prefix}.{secrets.token_urlsafe(32)}"
        result = _run(request, RotateAgencyKey(key_hash=key_hash(key), **base))
    except DomainError as exc:
        messages.error(request, exc.message_ko)
        return redirect("administration-agency-keys")
    shown = _shown(result, client.name, key)
    return _page(request, actor, _form(actor), shown=shown)

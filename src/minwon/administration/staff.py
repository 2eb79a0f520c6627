"""Staff accounts and roles (직원 계정·직무 관리): the staff of the offices an administrator
manages, a new account, granting and revoking roles, closing an account. Every action is
a command of ``accounts.commands``; the pages only parse, execute and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minwon.accounts.actors import actor_for_request
from minwon.accounts.commands import (
    CreateStaffAccount,
    DeactivateStaffAccount,
    GrantRole,
    RevokeRole,
)
from minwon.kernel import execute
from minwon.kernel.errors import DomainError
from minwon.kernel.types import NATION, Actor, Channel

from . import policies
from .forms import GrantForm, RevokeForm, StaffAccountForm
from .views import refuse


def _admin(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if not policies.can_manage_accounts(actor):
        raise PermissionDenied
    return actor


def _roles_anywhere(actor: Actor, offices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Roles the administrator may grant at the top of their scope (the choice list; the
    command checks the chosen jurisdiction again)."""
    return policies.grantable_roles(actor, offices[0][0]) if offices else []


def _create(request: HttpRequest, actor: Actor, form: StaffAccountForm) -> int | None:
    data = form.cleaned_data
    try:
        validate_password(data["password"])
    except DjangoValidationError as exc:
        form.add_error("password", " ".join(exc.messages))
        return 400
    try:
        created = execute(
            CreateStaffAccount(
                actor=actor, channel=Channel.ONLINE, jurisdiction=data["office"],
                command_id=data["command_id"], username=data["username"],
                display_name=data["display_name"], email=data["email"],
                password_hash=make_password(data["password"]),
            )
        )  # fmt: skip
        if data["role"]:
            execute(
                GrantRole(
                    actor=actor, channel=Channel.ONLINE, jurisdiction=data["office"],
                    user_id=created.value["user_id"], role=data["role"],
                )
            )  # fmt: skip
    except DomainError as exc:
        return refuse(form, exc, {"jurisdiction": "office"})
    request.session["admin_created"] = int(created.value["user_id"])
    return None


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    offices = policies.account_offices(actor)
    form = StaffAccountForm(
        request.POST or None, offices=offices, roles=_roles_anywhere(actor, offices)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            refused = _create(request, actor, form)
            if refused is None:
                messages.success(request, _("직원 계정을 만들었습니다."))
                return redirect("administration-account", user_id=request.session["admin_created"])
            status = refused
    rows = policies.staff_accounts(actor).prefetch_related("grants__jurisdiction")
    context = {"form": form, "rows": rows.order_by("office__path", "username")[:500]}
    return render(request, "administration/accounts.html", context, status=status)


def _detail_context(actor: Actor, user: Any, grant: GrantForm | None = None) -> dict[str, Any]:
    offices = policies.account_offices(actor)
    grants = []
    for g in user.grants.select_related("jurisdiction").order_by("jurisdiction__path", "role"):
        revoke = None
        if policies.may_revoke(actor, g.jurisdiction_id):
            revoke = RevokeForm(initial={"role": g.role, "jurisdiction": g.jurisdiction_id})
        grants.append((g, revoke))
    return {
        "account": user,
        "grants": grants,
        "grant_form": grant
        or GrantForm(offices=offices, roles=_roles_anywhere(actor, offices),
                     initial={"jurisdiction": user.office_id}),
        "deactivate": RevokeForm(initial={"role": "-", "jurisdiction": "-"}),
        "is_self": user.pk == actor.id,
    }  # fmt: skip


@login_required
def account(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _admin_or_404(request)
    user = _account_or_404(actor, user_id)
    return render(request, "administration/account.html", _detail_context(actor, user))


def _admin_or_404(request: HttpRequest) -> Actor:
    """On a page naming an account, anyone who may not manage accounts gets the same 404
    as for an account that does not exist."""
    actor = actor_for_request(request)
    if not policies.can_manage_accounts(actor):
        raise Http404
    return actor


def _account_or_404(actor: Actor, user_id: int) -> Any:
    try:
        return policies.staff_account(actor, user_id)
    except DomainError:
        raise Http404 from None


ACTIONS = ("grant", "revoke", "deactivate", "reactivate")


@login_required
@require_POST
def account_action(request: HttpRequest, user_id: int, name: str) -> HttpResponse:
    actor = _admin_or_404(request)
    user = _account_or_404(actor, user_id)
    if name not in ACTIONS:
        raise Http404
    if name == "grant":
        offices = policies.account_offices(actor)
        form = GrantForm(request.POST, offices=offices, roles=_roles_anywhere(actor, offices))
        status = _grant(actor, user, form)
        if status:
            context = _detail_context(actor, user, form)
            return render(request, "administration/account.html", context, status=status)
        messages.success(request, _("직무를 부여했습니다."))
        return redirect("administration-account", user_id=user.pk)
    revoke = RevokeForm(request.POST)
    if not revoke.is_valid():
        raise Http404
    data = revoke.cleaned_data
    base: dict[str, Any] = {"actor": actor, "channel": Channel.ONLINE, "user_id": user.pk,
                            "command_id": data["command_id"]}  # fmt: skip
    try:
        if name == "revoke":
            execute(RevokeRole(jurisdiction=data["jurisdiction"], role=data["role"], **base))
            messages.success(request, _("직무를 회수했습니다."))
        else:
            execute(
                DeactivateStaffAccount(
                    jurisdiction=user.office_id or NATION, reactivate=name == "reactivate", **base
                )
            )
            messages.success(
                request,
                _("계정을 다시 사용하게 했습니다.")
                if name == "reactivate"
                else _("계정을 사용 중지했습니다."),
            )
    except DomainError as exc:
        messages.error(request, exc.message_ko)
    return redirect("administration-account", user_id=user.pk)


def _grant(actor: Actor, user: Any, form: GrantForm) -> int:
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    try:
        execute(
            GrantRole(
                actor=actor, channel=Channel.ONLINE, jurisdiction=data["jurisdiction"],
                command_id=data["command_id"], user_id=user.pk, role=data["role"],
                department=data["department"].strip(),
            )
        )  # fmt: skip
    except DomainError as exc:
        return refuse(form, exc)
    return 0

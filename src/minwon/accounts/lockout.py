"""Log-in lock-outs (django-axes), per account **and** client address.

Five wrong passwords lock that username *from that address* for 15 minutes (the address
as ``kernel.throttle.client_address`` reads it behind the trusted proxy): a stranger cannot
lock the administrator or the operator on duty out of their own desks by typing their
username, and a guesser is still stopped. A lock-out is never silent: the first blocked
attempt of each (username, address) fires the situation room's ``staff-lockout`` alarm
through ``FireAlert`` (its evaluator keeps it up while the lock lasts, ``ops.alerts``), and
the alarm's receiver e-mails the account holder (``ops.commands.alerts``).

What a locked-out log-in gets: the API a JSON 429 like every other API error, pages the
"locked" page that says when to try again.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from minwon.kernel import throttle
from minwon.kernel.registry import receiver
from minwon.ops.commands.alerts import AlertFired

log = logging.getLogger(__name__)

#: One alarm per (username, address) per lock-out period; the blocked retries that follow
#: do not each become a command.
NOTICE = throttle.Rule("lockout_notice", (1, 15 * 60), "잠김 알림", "Lock-out notice")


def client_ip(request: HttpRequest) -> str | None:
    """django-axes' client address (``AXES_CLIENT_IP_CALLABLE``): the one every throttle
    uses, or None when the request has none (axes stores it in an address column)."""
    address = throttle.client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def fingerprint(user_id: int, address: str) -> str:
    return f"staff-lockout:{user_id}:{address}"[:120]


def notify(username: str, address: str) -> None:
    """Raise the situation room's alarm for a locked staff account (once per period)."""
    from minwon.accounts.models import User
    from minwon.kernel import execute
    from minwon.kernel.errors import DomainError
    from minwon.kernel.types import NATION, Actor, Channel
    from minwon.ops.alerts import ensure_rules
    from minwon.ops.commands.alerts import FireAlert

    user = User.objects.filter(username=username, kind=User.Kind.STAFF).first()
    if user is None:
        return
    try:
        throttle.take((NOTICE, f"{username}|{address}"))
    except throttle.TooManyRequests:
        return
    ensure_rules()
    try:
        execute(
            FireAlert(
                actor=Actor.system("axes"), channel=Channel.SYSTEM, jurisdiction=NATION,
                rule_key="staff-lockout", fingerprint=fingerprint(user.pk, address),
                value=1.0,
                message=f"직원 계정 로그인 잠김: {username} (접속 주소 {address}, 비밀번호 연속 실패)",
            )
        )  # fmt: skip
    except DomainError:
        log.exception("lock-out alarm for %s could not be raised", username)


@receiver(AlertFired, name="accounts.lockout_email")
def email_account_holder(event: AlertFired, *, meta: Any) -> None:
    """Tell the account holder their account was locked from an address (at least once:
    a redelivery may send a second copy, which says the same)."""
    from minwon.accounts.models import User
    from minwon.ops.models import Alert

    if event.rule_key != "staff-lockout":
        return
    alert = Alert.objects.filter(pk=event.alert_id).first()
    parts = (alert.fingerprint if alert else "").split(":")
    user = (
        User.objects.filter(pk=int(parts[1])).first()
        if len(parts) >= 3 and parts[1].isdigit()
        else None
    )
    if user is None or not user.email:
        return
    address = ":".join(parts[2:])
    send_mail(
        "[minwon] 계정 로그인 잠김 안내",
        f"{user.get_full_name()}님, 접속 주소 {address}에서 비밀번호가 연속으로 틀려 그 주소에서의 "
        "로그인이 15분 동안 잠겼습니다. 다른 자리(주소)에서는 그대로 로그인할 수 있습니다. "
        "본인이 시도한 것이 아니면 상황실과 정보통신과에 알리세요.",
        None,
        [user.email],
    )


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    username = str((credentials or {}).get("username") or request.POST.get("username") or "")
    if username:
        notify(username[:150], client_ip(request) or "unknown")
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "locked_out",
                "message": "로그인 실패가 많아 이 주소에서 잠시 잠겼습니다. 15분 뒤 다시 시도하세요.",
                "message_en": "Too many failed log-ins from here; try again in 15 minutes.",
                "field": "username",
            },
            status=429,
        )
    return render(request, "accounts/locked_out.html", status=429)

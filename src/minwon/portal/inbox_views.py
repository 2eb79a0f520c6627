"""알림함 (``/staff/inbox/``): the messages addressed to the signed-in staff member — 자동취합
reminders and 미제출 보고, and any other notice sent to staff — newest first, unread marked,
and "읽음" through a command. Who reads which message is the notices' policy
(``notices.policies.staff_messages``): only the addressee; anyone else gets the 404 of a
message that does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minwon.accounts.actors import actor_for_request
from minwon.kernel import execute
from minwon.kernel.types import NATION, Actor, Channel
from minwon.notices import policies as notice_policies
from minwon.notices.commands import MarkStaffMessageRead

from . import policies

PAGE_SIZE = 100


def _staff(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if not policies.can_land(actor):
        raise PermissionDenied
    return actor


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    messages = list(notice_policies.staff_messages(actor)[:PAGE_SIZE])
    return render(
        request,
        "portal/inbox.html",
        {"messages_": messages, "unread": notice_policies.staff_unread(actor)},
    )


@login_required
def message(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = _staff(request)
    item = notice_policies.staff_message(actor, message_id)  # NotFound: the plain 404
    return render(request, "portal/inbox_message.html", {"item": item})


@login_required
@require_POST
def mark_read(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = _staff(request)
    execute(
        MarkStaffMessageRead(
            actor=actor, channel=Channel.ONLINE, jurisdiction=NATION, message_id=message_id
        )
    )
    if request.POST.get("back") == "message":
        return redirect("portal-inbox-message", message_id=message_id)
    return redirect("portal-inbox")

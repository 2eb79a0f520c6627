"""The citizen's inbox page and the read receipt."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minwon.accounts.actors import actor_for_request
from minwon.kernel import execute
from minwon.kernel.types import NATION, Channel
from minwon.notices import policies
from minwon.notices.commands import MarkNoticeRead


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    messages = list(policies.visible(actor_for_request(request))[:100])
    return render(request, "notices/inbox.html", {"inbox": messages})


@login_required
def message(request: HttpRequest, message_id: int) -> HttpResponse:
    item = policies.message(actor_for_request(request), message_id)
    if item.read_at is None:
        execute(
            MarkNoticeRead(
                actor=actor_for_request(request), channel=Channel.ONLINE, jurisdiction=NATION,
                message_id=item.pk,
            )
        )  # fmt: skip
        item.refresh_from_db()
    return render(request, "notices/message.html", {"item": item})

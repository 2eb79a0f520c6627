"""The citizen's inbox page and the read receipt."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from minwon.accounts.actors import actor_for_request
from minwon.kernel import execute
from minwon.kernel.types import NATION, Channel
from minwon.notices.commands import MarkNoticeRead
from minwon.notices.queries import inbox_for


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    index = getattr(request.user, "identity_index", "")
    messages = list(inbox_for(index)[:100])
    return render(request, "notices/inbox.html", {"inbox": messages})


@login_required
def message(request: HttpRequest, message_id: int) -> HttpResponse:
    index = getattr(request.user, "identity_index", "")
    item = get_object_or_404(inbox_for(index), pk=message_id)
    if item.read_at is None:
        execute(
            MarkNoticeRead(
                actor=actor_for_request(request), channel=Channel.ONLINE, jurisdiction=NATION,
                message_id=item.pk,
            )
        )  # fmt: skip
        item.refresh_from_db()
    return render(request, "notices/message.html", {"item": item})

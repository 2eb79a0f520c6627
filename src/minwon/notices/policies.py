"""Who may read inbox messages (전자고지함): the citizen they are addressed to, by the
verified identity of the account, and nobody else through the inbox pages (staff see
notices where they were sent, in their own registers). Anyone else asking for a message
gets the same 404 as for one that does not exist."""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.kernel.errors import NotFound
from minwon.kernel.types import Actor, ActorKind
from minwon.notices.models import InboxMessage
from minwon.notices.queries import inbox_for


def _identity(actor: Actor) -> str:
    if actor.kind != ActorKind.CITIZEN or actor.id is None:
        return ""
    from minwon.accounts.models import User

    found = (
        User.objects.filter(pk=actor.id, kind=User.Kind.CITIZEN)
        .values_list("identity_index", flat=True)
        .first()
    )
    return found or ""


def visible(actor: Actor) -> QuerySet[InboxMessage]:
    """The actor's own messages, newest first (none for anyone but a citizen)."""
    return inbox_for(_identity(actor))


def message(actor: Actor, message_id: int) -> InboxMessage:
    found = visible(actor).filter(pk=message_id).first()
    if found is None:
        raise NotFound("알림을 찾을 수 없습니다.", "Message not found.", field="message_id")
    return found

"""Reading a citizen's inbox."""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.notices.models import InboxMessage


def inbox_for(identity_index: str) -> QuerySet[InboxMessage]:
    if not identity_index:
        return InboxMessage.objects.none()
    return InboxMessage.objects.filter(recipient_index=identity_index).order_by("-created_at")


def unread_count(identity_index: str) -> int:
    return inbox_for(identity_index).filter(read_at__isnull=True).count()

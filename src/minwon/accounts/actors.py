"""Turning a request or a user into the kernel's ``Actor``."""

from __future__ import annotations

from typing import Any

from minwon.kernel.types import Actor, ActorKind


def actor_for_user(user: Any) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor.anonymous()
    kind = ActorKind.STAFF if getattr(user, "kind", "") == "staff" else ActorKind.CITIZEN
    return Actor(kind, user.pk, user.get_username())


def actor_for_request(request: Any) -> Actor:
    """The actor behind a request: an agency client (X-Api-Key), a bearer-token or session
    user, or anonymous. The API's auth classes set ``request.minwon_actor``."""
    actor = getattr(request, "minwon_actor", None)
    if actor is not None:
        return actor
    return actor_for_user(getattr(request, "user", None))


def office_of(user: Any) -> str | None:
    return getattr(user, "office_id", None)

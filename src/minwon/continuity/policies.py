"""Who may do what with continuity (DESIGN §3.6): every decision of this app's pages and
API here. Edges authenticate with an agency key bound to one office that holds
``continuity.replay``; the reconciliation queue is for officers of the office it belongs
to; an edge's journal is for its counter staff. What a replayed command may do is the
pipeline's (``kernel.bus.authenticate_channel``)."""

from __future__ import annotations

from minwon.accounts.permissions import is_allowed, scopes_for
from minwon.continuity.permissions import ContinuityPermission
from minwon.kernel.errors import Forbidden
from minwon.kernel.types import Actor, ActorKind


def reconcile_scopes(actor: Actor) -> list[str]:
    """The jurisdictions whose queued items the actor may see and resolve (403 if none)."""
    scopes = scopes_for(actor, ContinuityPermission.RECONCILE)
    if not scopes:
        raise Forbidden(
            "소급 적용 대기열을 볼 권한이 없습니다.",
            "You may not see the reconciliation queue.",
            code="permission_denied",
        )
    return scopes


def require_edge_key(actor: Actor, office: str | None) -> str:
    """The calling edge's office, when its key may replay there; 403 otherwise."""
    if actor.kind != ActorKind.AGENCY or office is None:
        raise Forbidden(
            "거점 키가 필요합니다.", "An edge key is required.", code="permission_denied"
        )
    if not is_allowed(actor, ContinuityPermission.REPLAY, office):
        raise Forbidden(
            "이 키로는 소급 적용을 할 수 없습니다.",
            "This key may not replay edge journals.",
            code="permission_denied",
        )
    return office


def require_counter(actor: Actor, office: str) -> None:
    """The edge's own counter staff (its journal, its mode switch)."""
    if not is_allowed(actor, ContinuityPermission.COUNTER, office):
        raise Forbidden("권한이 없습니다.", "Not allowed.", code="permission_denied")


def require_staff(actor: Actor) -> None:
    if actor.kind != ActorKind.STAFF:
        raise Forbidden("직원만 사용할 수 있습니다.", "Staff only.", code="permission_denied")

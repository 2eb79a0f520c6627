"""Who may use the situation room (상황실) and change its alert rules (DESIGN §3.6), for
its pages and its API alike. The room shows no personal data; it is for operators and
system administrators, whatever their jurisdiction."""

from __future__ import annotations

from minwon.accounts import policies as base
from minwon.kernel.errors import Forbidden
from minwon.kernel.types import Actor
from minwon.ops.permissions import OpsPermission

ROOM = OpsPermission.ROOM
ALERT_RULES = OpsPermission.ALERT_RULES


def can_view_room(actor: Actor) -> bool:
    return base.holds_anywhere(actor, ROOM)


def require_room(actor: Actor) -> None:
    if not can_view_room(actor):
        raise Forbidden(
            "상황실 근무자만 볼 수 있습니다.", "Operators only.", code="permission_denied"
        )


def can_edit_alert_rules(actor: Actor) -> bool:
    return base.holds_anywhere(actor, ALERT_RULES)


def kiosk_devices(actor: Actor) -> list[dict[str, object]]:
    """The kiosk devices on the room's wall: those standing in the actor's room scope,
    with 응답 없음 for those that stopped calling (``accounts.kiosks``)."""
    from minwon.accounts import kiosks

    return kiosks.devices_seen(base.kiosk_devices(actor, ROOM).filter(revoked_at__isnull=True))

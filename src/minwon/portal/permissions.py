"""행정포털: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class PortalPermission(Permissions):
    """행정포털 (portal)."""

    USE = "portal.use", "행정포털 사용"

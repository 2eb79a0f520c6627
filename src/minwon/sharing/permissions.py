"""행정정보 공동이용: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class SharingPermission(Permissions):
    """행정정보 공동이용 (sharing)."""

    REQUEST = "sharing.request", "공동이용 요청"

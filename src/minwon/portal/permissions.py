"""행정포털: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class PortalPermission(Permissions):
    """행정포털 (portal)."""

    USE = "portal.use", "행정포털 사용"
    #: 자동취합: make campaigns of one's office, publish form versions, see the board, export.
    CAMPAIGN_MANAGE = "portal.campaign_manage", "자동취합 관리"
    #: 자동취합: answer a campaign sent to one's office or department.
    CAMPAIGN_ANSWER = "portal.campaign_answer", "자동취합 응답"

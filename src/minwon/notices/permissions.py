"""전자고지: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class NoticesPermission(Permissions):
    """전자고지 (notices)."""

    SEND = "notices.send", "고지 발송"
    READ = "notices.read", "전자고지 발송 현황 열람"
    CAMPAIGN = "notices.campaign", "전자고지 일괄 발송·우편 전환"

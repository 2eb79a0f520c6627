"""행정정보 공동이용: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class SharingPermission(Permissions):
    """행정정보 공동이용 (sharing)."""

    REQUEST = "sharing.request", "공동이용 요청"
    CONSENT_COUNTER = "sharing.consent_counter", "정보주체 동의 창구 접수"
    READ_LOG = "sharing.read_log", "공동이용 메시지 기록·이의 제기 열람"
    MANAGE_PROVIDERS = "sharing.manage_providers", "제공기관 장애 선언"
    DISCLOSE = "sharing.disclose", "열람 사실 통지 (시스템)"

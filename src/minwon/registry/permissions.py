"""주민등록: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class RegistryPermission(Permissions):
    """주민등록 (registry)."""

    READ = "registry.read", "주민등록 열람"
    REGISTER = "registry.register", "주민 등록"
    MOVE_IN = "registry.move_in", "전입신고 처리"
    HOUSEHOLD = "registry.household", "세대 변경"
    STATUS = "registry.status", "사망·국외이주 기록"
    REVEAL_RRN = "registry.reveal_rrn", "주민등록번호 뒷자리 표시"
    IMPORT = "registry.import", "주민 자료 일괄 등록"

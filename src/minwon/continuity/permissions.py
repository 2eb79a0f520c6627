"""업무 연속성: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class ContinuityPermission(Permissions):
    """업무 연속성 (continuity)."""

    COUNTER = "continuity.counter", "거점 창구 업무"
    REPLAY = "continuity.replay", "거점 소급 적용"
    RECONCILE = "continuity.reconcile", "소급 적용 대기열 처리"
    SWITCH = "continuity.switch", "연속성 모드 전환"

"""상황실: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class OpsPermission(Permissions):
    """상황실 (ops)."""

    ROOM = "ops.room", "상황실 근무"
    INCIDENTS = "ops.incidents", "장애 관리"
    ACKNOWLEDGE = "ops.acknowledge", "경보 확인"
    PLANS = "ops.plans", "연속성 계획 관리"
    CONFIGURE = "ops.configure", "등급·설정 관리"
    REPORT_EDGE = "ops.report_edge", "거점 상태 보고"
    RECORD_BACKUP = "ops.record_backup", "백업 기록"
    MANAGE_OUTBOX = "ops.manage_outbox", "발송 대기열 관리"
    FIRE_ALERTS = "ops.alerts.fire", "경보 발령"
    # Outside ops.* on purpose: operators on duty do not edit the rules that page them.
    ALERT_RULES = "system.alert_rules", "경보 규칙 편집"

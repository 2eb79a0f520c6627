"""고가용성: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class HaPermission(Permissions):
    """고가용성 (ha)."""

    PROBE = "ha.probe", "클러스터 점검"

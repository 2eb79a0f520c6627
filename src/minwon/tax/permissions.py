"""지방세: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class TaxPermission(Permissions):
    """지방세 (tax)."""

    READ = "tax.read", "지방세 열람"
    LEVY = "tax.levy", "지방세 부과"
    COLLECT = "tax.collect", "지방세 수납"
    IMPORT = "tax.import", "지방세 자료 일괄 등록"

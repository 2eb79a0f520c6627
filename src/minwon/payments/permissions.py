"""수수료 결제: what may be done in this app (declared values, ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class PaymentsPermission(Permissions):
    """수수료 (fee payments)."""

    #: A clerk refunds a fee at the counter (a wrong charge, a petition withdrawn by mail).
    REFUND = "payments.refund", "수수료 환불"

"""Who may read local tax bills (지방세 고지), for pages, the API and other apps.

Staff with ``tax.read`` over the bill's jurisdiction (the levying 시·군·구) read it; a
bill shows its taxpayer, so every bill read is access-logged by the queryset itself.
Out of scope and absent are the same 404 (``accounts.policies.OwnedRegister``).
"""

from __future__ import annotations

from minwon.accounts import policies as base

from .models import TaxBill
from .permissions import TaxPermission

READ = TaxPermission.READ

REGISTER = base.OwnedRegister(
    TaxBill, READ, owner="taxpayer_id", label="tax_bill", purpose="지방세 조회",
    missing=("고지서를 찾을 수 없습니다.", "Bill not found.", "bill_id"), order=("-due_on", "-id"),
)  # fmt: skip
scoped = REGISTER.scoped
visible = REGISTER.visible
can_read = REGISTER.can_read
bill = REGISTER.one
bills_of = REGISTER.of_person

"""Who may read the permit register (인허가), for pages, the API and other apps.

Staff with ``licensing.read`` over the permit's jurisdiction read it; a permit shows its
holder, so every permit read is access-logged by the queryset itself. Out of scope and
absent are the same 404 (``accounts.policies.OwnedRegister``). The national sanction check
(``queries.revoked_permits``) is a command-side rule, not a read of this policy.
"""

from __future__ import annotations

from minwon.accounts import policies as base

from .models import Permit
from .permissions import LicensingPermission

READ = LicensingPermission.READ

REGISTER = base.OwnedRegister(
    Permit, READ, owner="holder_id", label="permit", purpose="인허가 조회",
    missing=("인허가를 찾을 수 없습니다.", "Permit not found.", "permit_id"), order=("granted_on", "id"),
)  # fmt: skip
scoped = REGISTER.scoped
visible = REGISTER.visible
can_read = REGISTER.can_read
permit = REGISTER.one
permits_of = REGISTER.of_person

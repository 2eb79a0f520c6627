"""자동차 등록: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class VehiclesPermission(Permissions):
    """자동차 등록 (vehicles)."""

    READ = "vehicles.read", "자동차 등록원부 열람"
    REGISTER = "vehicles.register", "자동차 등록"
    IMPORT = "vehicles.import", "자동차 자료 일괄 등록"

"""토지대장: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class LandPermission(Permissions):
    """토지대장 (land)."""

    READ = "land.read", "토지대장 열람"
    REGISTER = "land.register", "토지 등록"
    PRICE = "land.price", "공시지가 기록"
    IMPORT = "land.import", "토지 자료 일괄 등록"

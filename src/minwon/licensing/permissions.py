"""인허가: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class LicensingPermission(Permissions):
    """인허가 (licensing)."""

    READ = "licensing.read", "인허가 열람"
    GRANT = "licensing.grant", "인허가 처리"
    SANCTION = "licensing.sanction", "행정처분"
    IMPORT = "licensing.import", "인허가 자료 일괄 등록"
    SANCTION_CHECK = "licensing.sanction_check", "전국 행정처분 결격 확인"

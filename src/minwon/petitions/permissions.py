"""민원: what may be done in this app (declared values, see ``minwon.kernel.permissions``)."""

from __future__ import annotations

from minwon.kernel.permissions import Permissions, declare


@declare
class PetitionsPermission(Permissions):
    """민원 (petitions)."""

    READ = "petitions.read", "민원 열람"
    INTAKE = "petitions.intake", "민원 접수"
    PROCESS = "petitions.process", "민원 처리"
    ASSIGN = "petitions.assign", "민원 배정"
    DELIVER = "petitions.deliver", "처리 결과 교부"
    CATALOG = "petitions.catalog", "민원 사무 목록 관리"
    OVERSEE = "petitions.oversee", "부서 민원 현황"
    APPROVE = "petitions.approve", "결재"

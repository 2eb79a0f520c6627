"""자동차 등록: vehicles, their owners over time and their 사용본거지 (base address).

The 사용본거지 follows the owner's residence: a move-in changes it through the registry's
``MoveInReported`` event (``vehicles.events``), and every change is kept.
"""

from __future__ import annotations

from django.db import models


class Vehicle(models.Model):
    """One registered vehicle (자동차등록원부 갑부의 주요 항목)."""

    plate = models.CharField("자동차등록번호", max_length=20, unique=True)
    vin = models.CharField("차대번호", max_length=17, unique=True)
    model_name = models.CharField("차명", max_length=60)
    model_year = models.PositiveSmallIntegerField("연식")
    kind = models.CharField("차종", max_length=20, default="승용")
    owner = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="소유자"
    )
    base_address = models.CharField("사용본거지", max_length=300)
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="관할"
    )
    registered_on = models.DateField("최초등록일")

    class Meta:
        verbose_name = "자동차"
        verbose_name_plural = "자동차"

    def __str__(self) -> str:
        return self.plate


class VehicleOwnership(models.Model):
    """소유권 이력: who owned the vehicle from when to when, and why (신규, 이전 …)."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="ownerships")
    owner = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    from_on = models.DateField("취득일")
    to_on = models.DateField("상실일", null=True, blank=True)
    cause = models.CharField("원인", max_length=20)

    class Meta:
        verbose_name = "자동차 소유 이력"
        verbose_name_plural = "자동차 소유 이력"
        ordering = ["vehicle", "from_on", "id"]


class BaseAddressChange(models.Model):
    """사용본거지 변경 이력 (the 원부's 변경등록 entries caused by a move-in)."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="address_changes")
    old_address = models.CharField(max_length=300)
    new_address = models.CharField(max_length=300)
    changed_on = models.DateField("변경일")
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "사용본거지 변경"
        verbose_name_plural = "사용본거지 변경"
        ordering = ["vehicle", "changed_on", "id"]

"""지방세: bills (tax item, period, amount, due date, payment) linked to a taxpayer and, where
relevant, a vehicle or parcel, with the mailing address a move-in keeps current."""

from __future__ import annotations

from django.db import models


class TaxItem(models.TextChoices):
    VEHICLE = "vehicle", "자동차세"
    PROPERTY_LAND = "property_land", "재산세(토지)"
    PROPERTY_BUILDING = "property_building", "재산세(건축물)"
    RESIDENT = "resident", "주민세(개인분)"
    LOCAL_INCOME = "local_income", "지방소득세"
    LICENSE = "license", "등록면허세"


class TaxBill(models.Model):
    """One bill (고지서). Open while ``paid_on`` is empty; in arrears (체납) after due date."""

    number = models.CharField("전자납부번호", max_length=30, unique=True)
    taxpayer = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="납세자"
    )
    item = models.CharField("세목", max_length=20, choices=TaxItem.choices)
    period = models.CharField("과세 기간", max_length=20)
    amount = models.PositiveBigIntegerField("세액(원)")
    due_on = models.DateField("납기")
    paid_on = models.DateField("납부일", null=True, blank=True)
    vehicle = models.ForeignKey(
        "vehicles.Vehicle", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parcel = models.ForeignKey(
        "land.Parcel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mailing_address = models.CharField("송달 주소", max_length=300)
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="과세 관청"
    )
    issued_on = models.DateField("부과일")

    class Meta:
        verbose_name = "지방세 고지"
        verbose_name_plural = "지방세 고지"
        indexes = [models.Index(fields=["taxpayer", "paid_on"], name="bill_taxpayer_open")]

    def __str__(self) -> str:
        return self.number


class MailingAddressChange(models.Model):
    """송달 주소 변경 이력 (from a move-in)."""

    bill = models.ForeignKey(TaxBill, on_delete=models.PROTECT, related_name="address_changes")
    old_address = models.CharField(max_length=300)
    new_address = models.CharField(max_length=300)
    changed_on = models.DateField()
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "송달 주소 변경"
        verbose_name_plural = "송달 주소 변경"

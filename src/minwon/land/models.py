"""토지대장 (land register): parcels identified by 법정동 code + 산 + 본번 + 부번, their 지목
and area, owner history with dates and causes, and 개별공시지가 by year."""

from __future__ import annotations

from django.db import models


class LandCategory(models.TextChoices):
    """지목 (the common ones of the 28 in 공간정보관리법 §67)."""

    DAE = "대", "대"
    JEON = "전", "전"
    DAP = "답", "답"
    IMYA = "임야", "임야"
    ROAD = "도로", "도로"
    JAPJONG = "잡종지", "잡종지"
    FACTORY = "공장용지", "공장용지"
    SCHOOL = "학교용지", "학교용지"
    ORCHARD = "과수원", "과수원"


class Parcel(models.Model):
    """필지. ``jurisdiction`` is the 시·군·구 (or 구) that keeps the register."""

    legal_dong_code = models.CharField("법정동코드", max_length=10)
    legal_dong_name = models.CharField("법정동", max_length=60)
    mountain = models.BooleanField("산", default=False)
    main_no = models.PositiveIntegerField("본번")
    sub_no = models.PositiveIntegerField("부번", default=0)
    category = models.CharField("지목", max_length=8, choices=LandCategory.choices)
    area_m2 = models.DecimalField("면적(㎡)", max_digits=12, decimal_places=2)
    owner = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="소유자"
    )
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="관할"
    )

    class Meta:
        verbose_name = "필지"
        verbose_name_plural = "필지"
        constraints = [
            models.UniqueConstraint(
                fields=["legal_dong_code", "mountain", "main_no", "sub_no"], name="parcel_pnu"
            ),
        ]

    def __str__(self) -> str:
        return self.lot_label

    @property
    def lot_label(self) -> str:
        """지번: ``단구동 산 12-3``."""
        number = f"{self.main_no}-{self.sub_no}" if self.sub_no else f"{self.main_no}"
        return f"{self.legal_dong_name} {'산 ' if self.mountain else ''}{number}"

    @property
    def pnu(self) -> str:
        """필지고유번호 (19 digits: 법정동 10 + 산 1 + 본번 4 + 부번 4)."""
        return (
            f"{self.legal_dong_code}{2 if self.mountain else 1}{self.main_no:04d}{self.sub_no:04d}"
        )


class ParcelOwnership(models.Model):
    """소유권 변동 이력 (날짜, 원인: 매매, 상속, 증여 …)."""

    parcel = models.ForeignKey(Parcel, on_delete=models.PROTECT, related_name="ownerships")
    owner = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    from_on = models.DateField("변동일")
    to_on = models.DateField("종료일", null=True, blank=True)
    cause = models.CharField("변동 원인", max_length=20)

    class Meta:
        verbose_name = "토지 소유 이력"
        verbose_name_plural = "토지 소유 이력"
        ordering = ["parcel", "from_on", "id"]


class LandPrice(models.Model):
    """개별공시지가 (원/㎡) of one parcel for one year (기준일 1월 1일)."""

    parcel = models.ForeignKey(Parcel, on_delete=models.PROTECT, related_name="prices")
    year = models.PositiveSmallIntegerField("기준연도")
    won_per_m2 = models.PositiveBigIntegerField("공시지가(원/㎡)")

    class Meta:
        verbose_name = "개별공시지가"
        verbose_name_plural = "개별공시지가"
        ordering = ["parcel", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["parcel", "year"], name="land_price_once"),
        ]

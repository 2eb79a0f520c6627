"""인허가: business permits and registrations (영업신고 …) and the administrative sanctions
(행정처분) imposed on them. A holder's move-in never silently rewrites a permit's address:
where the business is at the residence, the holder gets a notice (``PermitNotice``)."""

from __future__ import annotations

from django.db import models


class PermitKind(models.TextChoices):
    GENERAL_RESTAURANT = "general_restaurant", "일반음식점 영업신고"
    REST_RESTAURANT = "rest_restaurant", "휴게음식점 영업신고"
    BAKERY = "bakery", "제과점 영업신고"
    LODGING = "lodging", "숙박업 영업신고"
    BEAUTY = "beauty", "미용업 영업신고"
    LAUNDRY = "laundry", "세탁업 영업신고"
    ONLINE_SALES = "online_sales", "통신판매업 신고"


class PermitStatus(models.TextChoices):
    ACTIVE = "active", "영업"
    SUSPENDED = "suspended", "영업정지"
    REVOKED = "revoked", "취소"
    CLOSED = "closed", "폐업"


class Permit(models.Model):
    """One permit or registration held by a person for a business at an address."""

    number = models.CharField("허가(신고)번호", max_length=30, unique=True)
    kind = models.CharField("업종", max_length=20, choices=PermitKind.choices)
    holder = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="대표자"
    )
    business_name = models.CharField("상호", max_length=100)
    road_address = models.CharField("소재지", max_length=300)
    at_residence = models.BooleanField("대표자 주소지와 같음", default=False)
    status = models.CharField(
        "상태", max_length=10, choices=PermitStatus.choices, default=PermitStatus.ACTIVE
    )
    granted_on = models.DateField("신고(허가)일")
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="관할"
    )

    class Meta:
        verbose_name = "인허가"
        verbose_name_plural = "인허가"

    def __str__(self) -> str:
        return f"{self.business_name} ({self.number})"


class SanctionKind(models.TextChoices):
    CORRECTION = "correction", "시정명령"
    SUSPENSION = "suspension", "영업정지"
    REVOCATION = "revocation", "허가취소"
    CLOSURE = "closure", "영업소 폐쇄"


class Sanction(models.Model):
    """행정처분: what, from when to when, and under which legal provision."""

    permit = models.ForeignKey(Permit, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField("처분 종류", max_length=12, choices=SanctionKind.choices)
    starts_on = models.DateField("처분 시작일")
    ends_on = models.DateField("처분 종료일", null=True, blank=True)
    legal_basis = models.CharField("근거 법령", max_length=200)
    reason = models.CharField("처분 사유", max_length=300)
    decided_at = models.DateTimeField("처분 시각")

    class Meta:
        verbose_name = "행정처분"
        verbose_name_plural = "행정처분"
        ordering = ["permit", "starts_on", "id"]


class PermitNotice(models.Model):
    """A notice to a permit holder (e.g. "you moved: report the 소재지 change"), created by a
    move-in when the business address is the holder's residence."""

    permit = models.ForeignKey(Permit, on_delete=models.PROTECT, related_name="notices")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "인허가 안내"
        verbose_name_plural = "인허가 안내"

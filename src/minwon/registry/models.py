"""주민등록 (resident registration): persons, households (세대) with their members'
relationship to the head, and every person's residence history.

Only ``registry.commands`` writes these tables. The RRN is stored only as AES-GCM
ciphertext with an HMAC blind index (DESIGN §3.4); a person and a household belong to the
jurisdiction of their current address (the 읍·면·동), so ``accounts.permissions.in_scope``
scopes every staff query.

Addresses are 도로명 addresses with the code of the 읍·면·동 they lie in. The shipped code
list (``data/jurisdictions.csv``) holds 행정동 codes, so that is the code an address
carries (``address_code``); a parcel, which the 지적 law identifies by 법정동, keeps its own
법정동 code in ``land``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "거주"
    DECEASED = "deceased", "사망"
    EMIGRATED = "emigrated", "국외이주"
    CANCELLED = "cancelled", "말소"


class Relationship(models.TextChoices):
    """세대주와의 관계, in the order the 주민등록표 lists members (세대주, 배우자, 자녀 …)."""

    HEAD = "head", "세대주"
    SPOUSE = "spouse", "배우자"
    CHILD = "child", "자녀"
    PARENT = "parent", "부모"
    SPOUSE_PARENT = "spouse_parent", "배우자의 부모"
    GRANDCHILD = "grandchild", "손자녀"
    SIBLING = "sibling", "형제자매"
    RELATIVE = "relative", "기타 친족"
    COHABITANT = "cohabitant", "동거인"


#: Sort key of each relationship on the 주민등록표 (세대별 주민등록표 member order).
RELATIONSHIP_ORDER = {value: n for n, value in enumerate(Relationship.values)}


class Person(models.Model):
    """A resident (주민): identity, status and the jurisdiction of the current address."""

    name = models.CharField("성명", max_length=60, db_index=True)
    rrn_ciphertext = models.BinaryField("주민등록번호(암호문)")
    rrn_index = models.CharField("주민등록번호 색인", max_length=64, unique=True)
    birth_date = models.DateField("생년월일")
    sex = models.CharField("성별", max_length=1, choices=[("M", "남"), ("F", "여")])
    nationality = models.CharField("국적", max_length=2, default="KR")
    status = models.CharField(
        "상태", max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    status_on = models.DateField("상태 변경일", null=True, blank=True)
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="관할"
    )
    registered_at = models.DateTimeField("등록 시각")

    class Meta:
        verbose_name = "주민"
        verbose_name_plural = "주민"
        indexes = [models.Index(fields=["name", "birth_date"], name="person_name_birth")]

    def __str__(self) -> str:
        return f"{self.name} ({self.pk})"


class Household(models.Model):
    """세대: one address, one head (세대주) and the members living with them."""

    head = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    road_address = models.CharField("도로명주소", max_length=200)
    address_detail = models.CharField("상세주소", max_length=100, blank=True, default="")
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="관할"
    )
    formed_on = models.DateField("세대 구성일")
    dissolved_on = models.DateField("세대 소멸일", null=True, blank=True)

    class Meta:
        verbose_name = "세대"
        verbose_name_plural = "세대"

    def __str__(self) -> str:
        return f"세대 {self.pk} {self.road_address}"

    @property
    def full_address(self) -> str:
        return f"{self.road_address} {self.address_detail}".strip()


class HouseholdMember(models.Model):
    """A person's membership of a household over a period. At most one open membership
    per person: a person cannot be in two households (database constraint)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relationship = models.CharField("세대주와의 관계", max_length=14, choices=Relationship.choices)
    joined_on = models.DateField("전입일")
    left_on = models.DateField("전출일", null=True, blank=True)

    class Meta:
        verbose_name = "세대원"
        verbose_name_plural = "세대원"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(left_on__isnull=True), name="one_open_household"
            ),
        ]
        indexes = [models.Index(fields=["household", "left_on"], name="member_household_open")]


class SnapshotFields(models.Model):
    """What a household snapshot holds (``HouseholdSnapshot``, ``HouseholdSnapshotKey``)."""

    head_person_id = models.BigIntegerField("세대주", null=True, blank=True)
    road_address = models.CharField("도로명주소", max_length=200)
    address_detail = models.CharField("상세주소", max_length=100, blank=True, default="")
    jurisdiction_code = models.CharField("관할", max_length=10)
    formed_on = models.DateField("세대 구성일")
    dissolved_on = models.DateField("세대 소멸일", null=True, blank=True)
    #: [{"person_id", "name", "relationship", "joined_on", "rrn_ciphertext" (base64),
    #: "rrn_index"}] in 주민등록표 order; empty once the household has ended.
    members = models.JSONField("세대원", default=list)

    class Meta:
        abstract = True


class HouseholdSnapshot(SnapshotFields):
    """세대 현황 (read model): one row per household holding what a 주민등록표 등본 and the
    counter's household lists show — address, office, dates, head, and the current members
    in register order with their relationship, name, move-in date and resident number
    sealed exactly as ``Person`` holds it (ciphertext and blind index, never in clear; no
    birth date either, the order already carries it). Kept by ``registry.snapshot``'s
    subscribers inside every registry command's transaction; ``minwon snapshot rebuild``
    builds the same rows from the register.

    The household's own fields are columns (the office scopes and the dates are compared);
    the members are one JSON list, always read and written whole, never queried inside."""

    household = models.OneToOneField(
        Household, primary_key=True, on_delete=models.CASCADE, related_name="snapshot"
    )

    class Meta:
        verbose_name = "세대 현황"
        verbose_name_plural = "세대 현황"

    def __str__(self) -> str:
        return f"세대 현황 {self.pk}"


class HouseholdSnapshotKey(SnapshotFields):
    """The snapshot by person: one row per current member, keyed by the resident number's
    blind index, holding a copy of their household's snapshot. A certificate's applicant is
    known by that index, so the 등본 is one read by primary key (``kernel.sql.get``) — no
    join, no query compiled per request — at the price of the household's row written once
    more per member when it changes. Kept with the household rows, by the same code."""

    rrn_index = models.CharField("주민등록번호 색인", max_length=64, primary_key=True)
    person_id = models.BigIntegerField("주민", unique=True)
    household = models.ForeignKey(
        HouseholdSnapshot, on_delete=models.CASCADE, related_name="keys", verbose_name="세대"
    )

    class Meta:
        verbose_name = "세대 현황 색인"
        verbose_name_plural = "세대 현황 색인"


class ResidenceReason(models.TextChoices):
    REGISTRATION = "registration", "최초 등록"
    BIRTH = "birth", "출생"
    MOVE_IN = "move_in", "전입"
    MERGE = "merge", "세대 합가"
    SPLIT = "split", "세대 분리"
    CORRECTION = "correction", "정정"


class Residence(models.Model):
    """주소 이력: one address a person lived at, effective from the move-in date (not the
    report date), with the report date and whether it was reported late (과태료)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="residences")
    household = models.ForeignKey(
        Household, null=True, on_delete=models.PROTECT, related_name="residences"
    )
    road_address = models.CharField("도로명주소", max_length=200)
    address_detail = models.CharField("상세주소", max_length=100, blank=True, default="")
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="행정동"
    )
    moved_in_on = models.DateField("전입일")
    reported_on = models.DateField("신고일")
    moved_out_on = models.DateField("전출일", null=True, blank=True)
    reason = models.CharField("변동 사유", max_length=14, choices=ResidenceReason.choices)
    late_days = models.PositiveIntegerField("신고 지연 일수", default=0)
    command_id = models.UUIDField()

    class Meta:
        verbose_name = "주소 이력"
        verbose_name_plural = "주소 이력"
        ordering = ["person", "moved_in_on", "id"]

    @property
    def late(self) -> bool:
        """Reported after the 14-day deadline: flagged for the 과태료 notice."""
        return self.late_days > 0

    @property
    def full_address(self) -> str:
        return f"{self.road_address} {self.address_detail}".strip()


class PendingMoveIn(models.Model):
    """An online move-in into someone else's household, waiting for the head's
    confirmation (세대주 확인) before it takes effect."""

    class State(models.TextChoices):
        PENDING = "pending", "세대주 확인 대기"
        CONFIRMED = "confirmed", "확인됨"
        REFUSED = "refused", "거부됨"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    movers = models.JSONField("전입자")  # [{"person_id": int, "relationship": str}]
    moved_in_on = models.DateField("전입일")
    reported_on = models.DateField("신고일")
    reporter_index = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.UUIDField()
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "세대주 확인 대기 전입"
        verbose_name_plural = "세대주 확인 대기 전입"

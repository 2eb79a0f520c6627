"""Staff, citizens and agency clients, and the role grants that scope staff to a
jurisdiction subtree."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who logs in: staff (공무원) or a citizen (민원인)."""

    class Kind(models.TextChoices):
        STAFF = "staff", "직원"
        CITIZEN = "citizen", "시민"

    kind = models.CharField("구분", max_length=8, choices=Kind.choices, default=Kind.CITIZEN)
    display_name = models.CharField("이름", max_length=60, blank=True, default="")
    # Staff: the office the account belongs to (where the counter is).
    office = models.ForeignKey(
        "kernel.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Citizens: the identity proven at sign-up, as the RRN's blind index (never the number).
    identity_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    identity_method = models.CharField(max_length=30, blank=True, default="")
    # How strongly that proofing bound the person (``identity.Assurance``): policy decides
    # what each level may see (RRN back digits need "high").
    identity_assurance = models.CharField("본인확인 수준", max_length=12, blank=True, default="")
    birth_date = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        verbose_name = "사용자"
        verbose_name_plural = "사용자"

    def get_full_name(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.kind == self.Kind.STAFF


class Role(models.TextChoices):
    """직무: what a staff member does. Permissions per role live in ``permissions.py``."""

    COUNTER_CLERK = "counter_clerk", "민원 담당"
    OFFICER = "officer", "처리 담당"
    DEPARTMENT_HEAD = "department_head", "부서장"
    OPERATOR = "operator", "상황실 근무자"
    SYSADMIN = "sysadmin", "시스템 관리자"
    AUDITOR = "auditor", "감사 담당"


class RoleGrant(models.Model):
    """A role held over a jurisdiction subtree (e.g. 처리 담당 for 원주시 and all below)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("직무", max_length=20, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField("부서", max_length=60, blank=True, default="")
    granted_at = models.DateTimeField()

    class Meta:
        verbose_name = "직무 부여"
        verbose_name_plural = "직무 부여"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "jurisdiction"], name="grant_once"),
        ]


class AgencyClient(models.Model):
    """An agency system (기관 시스템) that calls the API with an ``X-Api-Key``.

    Only a hash of the key is stored; ``prefix`` identifies it in logs."""

    name = models.CharField("기관명", max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    permissions = models.JSONField("허용 권한", default=list)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "기관 API 이용자"
        verbose_name_plural = "기관 API 이용자"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class ApiToken(models.Model):
    """A staff member's bearer token for the API; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = "API 토큰"
        verbose_name_plural = "API 토큰"


class Consent(models.Model):
    """A citizen's agreement to one version of a text (이용약관, 개인정보 수집·이용 동의),
    written by ``SignUpCitizen``; append-only, so a later version is a new row."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    document = models.CharField("동의 문서", max_length=16)  # consent.TEXTS key
    version = models.CharField("판", max_length=20)
    agreed_at = models.DateTimeField("동의 일시")

    class Meta:
        verbose_name = "동의 기록"
        verbose_name_plural = "동의 기록"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document", "version"], name="consent_once_per_version"
            )
        ]


class KioskDevice(models.Model):
    """A registered 무인민원발급기: an actor of the pipeline bound to one office, enrolled
    by an administrator of that office's jurisdiction (``EnrollKioskDevice``). The kiosk
    pages serve only a device that presents its secret on every request; the office its
    certificates and petitions belong to is this row's, never the request's.

    Secrets are stored only as SHA-256 digests: ``handover_hash`` is the one-time code the
    administrator types on the kiosk (``/kiosk/enrol/``), exchanged there for the device
    secret (``secret_hash``) that lives in the kiosk browser's HttpOnly cookie."""

    device_id = models.CharField("기기 번호", max_length=40, unique=True)
    name = models.CharField("설치 위치", max_length=100)
    office = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name="설치 기관"
    )
    secret_hash = models.CharField(max_length=64, blank=True, default="")
    handover_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    handover_expires_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField("등록 일시")
    enrolled_by = models.CharField("등록자", max_length=60)
    handed_over_at = models.DateTimeField("설치 일시", null=True, blank=True)
    revoked_at = models.DateTimeField("해지 일시", null=True, blank=True)
    revoked_reason = models.CharField("해지 사유", max_length=200, blank=True, default="")
    last_seen_at = models.DateTimeField("마지막 응답", null=True, blank=True)

    class Meta:
        verbose_name = "무인민원발급기"
        verbose_name_plural = "무인민원발급기"

    def __str__(self) -> str:
        return f"{self.name} ({self.device_id})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

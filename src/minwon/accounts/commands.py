"""Account commands: staff accounts and their role grants, citizen sign-up with identity
proofing, agency API clients, staff API tokens and the register of kiosk devices.

Passwords and keys never travel in a command in clear: the caller hashes them first, so
the stored command payload holds only hashes.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta

from django.db import models

from minwon.accounts import consent, policies
from minwon.accounts.models import (
    AgencyClient,
    ApiToken,
    Consent,
    KioskDevice,
    Role,
    RoleGrant,
    User,
)
from minwon.accounts.permissions import clear_cache
from minwon.accounts.roles import AccountsPermission
from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from minwon.kernel.permissions import declared
from minwon.kernel.registry import handler
from minwon.kernel.rrn import SealedRRN
from minwon.kernel.types import NATION, ActorKind, Command, Continuity, RoomCategory

_USERNAME = re.compile(r"^[a-zA-Z0-9_.@+-]{3,150}$")


def _check_username(username: str) -> None:
    if not _USERNAME.match(username):
        raise ValidationFailed(
            "아이디는 영문, 숫자, _.@+- 로 3~150자여야 합니다.",
            "Username must be 3-150 letters, digits or _.@+-.",
            field="username",
        )
    if User.objects.filter(username=username).exists():
        raise Conflict("이미 쓰이는 아이디입니다.", "This username is taken.", field="username")


@dataclasses.dataclass(frozen=True, kw_only=True)
class CreateStaffAccount(Command):
    """Open an account for a staff member at an office (``jurisdiction``)."""

    permission = AccountsPermission.MANAGE
    username: str
    display_name: str
    password_hash: str
    email: str = ""


def _display_name(text: str) -> str:
    name = text.strip()
    if not name or len(name) > 60:
        raise ValidationFailed(
            "이름을 60자 이내로 입력하세요.", "Enter a name of at most 60 characters.",
            field="display_name",
        )  # fmt: skip
    return name


@handler(CreateStaffAccount)
def create_staff_account(cmd: CreateStaffAccount, *, ctx: Context) -> dict[str, object]:
    _check_username(cmd.username)
    _display_name(cmd.display_name)
    office = jurisdictions.get(cmd.jurisdiction)
    user = User.objects.create(
        username=cmd.username,
        display_name=cmd.display_name.strip(),
        email=cmd.email,
        password=cmd.password_hash,
        kind=User.Kind.STAFF,
        office=office,
        is_staff=False,
    )
    return {"user_id": user.pk, "username": user.username}


@dataclasses.dataclass(frozen=True, kw_only=True)
class GrantRole(Command):
    """Give a staff member a role over ``jurisdiction`` and everything below it."""

    permission = AccountsPermission.MANAGE
    user_id: int
    role: str
    department: str = ""


def _staff_account(ctx: Context, user_id: int) -> User:
    """The staff account, locked, if the actor manages its office; one answer (404) for an
    account of another office and for one that does not exist."""
    user = User.objects.select_for_update().filter(pk=user_id, kind=User.Kind.STAFF).first()
    if user is None or not policies.may_manage_account(ctx.actor, user.office_id):
        raise NotFound("직원 계정을 찾을 수 없습니다.", "Staff account not found.", field="user_id")
    return user


def _check_grantable(ctx: Context, role: str, scope: str) -> None:
    if not policies.may_grant(ctx.actor, role, scope):
        raise Forbidden(
            "자신이 가진 권한을 넘는 직무는 부여할 수 없습니다.",
            "You cannot grant a role with rights you do not hold there.",
            field="role",
            code="beyond_own_rights",
        )


@handler(GrantRole)
def grant_role(cmd: GrantRole, *, ctx: Context) -> dict[str, object]:
    """The grant's jurisdiction is the command's (the pipeline checks ``accounts.manage``
    over it); the account must be of an office the actor manages, and the role within the
    actor's own rights there."""
    if cmd.role not in Role.values:
        raise ValidationFailed("알 수 없는 직무입니다.", "Unknown role.", field="role")
    user = _staff_account(ctx, cmd.user_id)
    _check_grantable(ctx, cmd.role, cmd.jurisdiction)
    scope = jurisdictions.get(cmd.jurisdiction)
    grant, created = RoleGrant.objects.get_or_create(
        user=user,
        role=cmd.role,
        jurisdiction=scope,
        defaults={"department": cmd.department, "granted_at": ctx.recorded_at},
    )
    if cmd.role == Role.SYSADMIN:
        _follow_django_admin(user.pk)
    clear_cache()
    return {"grant_id": grant.pk, "created": created}


def _follow_django_admin(user_id: int) -> None:
    """Django's own admin shows every office's records, so its flags (``is_staff``,
    ``is_superuser``) follow a 시스템 관리자 grant over the whole country only: an
    administrator of one 시·군·구 manages that office through minwon's own screens."""
    national = RoleGrant.objects.filter(
        user_id=user_id, role=Role.SYSADMIN, jurisdiction_id=NATION
    ).exists()
    User.objects.filter(pk=user_id).exclude(is_staff=national, is_superuser=national).update(
        is_staff=national, is_superuser=national
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class RevokeRole(Command):
    """Take a role over ``jurisdiction`` back from a staff member of an office the actor
    manages."""

    permission = AccountsPermission.MANAGE
    user_id: int
    role: str


@handler(RevokeRole)
def revoke_role(cmd: RevokeRole, *, ctx: Context) -> dict[str, int]:
    _staff_account(ctx, cmd.user_id)
    deleted, _ = RoleGrant.objects.filter(
        user_id=cmd.user_id, role=cmd.role, jurisdiction_id=cmd.jurisdiction
    ).delete()
    if cmd.role == Role.SYSADMIN:
        _follow_django_admin(cmd.user_id)
    clear_cache()
    return {"revoked": deleted}


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeactivateStaffAccount(Command):
    """Close a staff account (퇴직, 휴직) or open it again: a closed account cannot log in
    and its roles grant nothing, but they and its history stay for the record. The
    command's jurisdiction is the account's office."""

    permission = AccountsPermission.MANAGE
    user_id: int
    reactivate: bool = False


@handler(DeactivateStaffAccount)
def deactivate_staff_account(cmd: DeactivateStaffAccount, *, ctx: Context) -> dict[str, object]:
    user = _staff_account(ctx, cmd.user_id)
    if (user.office_id or NATION) != cmd.jurisdiction:
        raise NotFound("직원 계정을 찾을 수 없습니다.", "Staff account not found.", field="user_id")
    if user.pk == ctx.actor.id and ctx.actor.kind == ActorKind.STAFF and not cmd.reactivate:
        raise Conflict(
            "자기 계정은 사용 중지할 수 없습니다.", "You cannot close your own account.",
            field="user_id", code="own_account",
        )  # fmt: skip
    User.objects.filter(pk=user.pk).update(is_active=cmd.reactivate)
    clear_cache()
    return {"user_id": user.pk, "active": cmd.reactivate}


@dataclasses.dataclass(frozen=True, kw_only=True)
class SignUpCitizen(Command):
    """A citizen opens an account after identity proofing (본인확인), with the versions of
    the terms and the privacy notice they agreed to (``accounts.consent``), recorded as
    ``Consent`` rows."""

    username: str
    display_name: str
    password_hash: str
    email: str = ""
    phone: str = ""
    sealed_rrn: SealedRRN
    identity_method: str
    terms_version: str = ""
    privacy_version: str = ""
    identity_assurance: str = "low"


def _check_consents(cmd: SignUpCitizen) -> dict[str, str]:
    """The agreements to record (``consent.check_versions``). The sign-up page requires
    both (개인정보 보호법 제15조); accounts opened otherwise (demo, imports) may carry none."""
    return consent.check_versions(
        terms_version=cmd.terms_version, privacy_version=cmd.privacy_version
    )


@handler(SignUpCitizen)
def sign_up_citizen(cmd: SignUpCitizen, *, ctx: Context) -> dict[str, object]:
    _check_username(cmd.username)
    agreed = _check_consents(cmd)
    if User.objects.filter(identity_index=cmd.sealed_rrn.index, kind=User.Kind.CITIZEN).exists():
        raise Conflict(
            # Reached only after the proofing's second step: the person, not a prober.
            "이미 가입되어 있습니다. 아이디 찾기를 이용하세요.",
            "An account already exists for this person.",
            field="rrn",
        )
    parsed = cmd.sealed_rrn.open()
    user = User.objects.create(
        username=cmd.username,
        display_name=cmd.display_name.strip(),
        email=cmd.email,
        phone=cmd.phone,
        password=cmd.password_hash,
        kind=User.Kind.CITIZEN,
        identity_index=cmd.sealed_rrn.index,
        identity_method=cmd.identity_method,
        identity_assurance=cmd.identity_assurance,
        birth_date=parsed.birth_date,
    )
    Consent.objects.bulk_create(
        Consent(user=user, document=key, version=version, agreed_at=cmd.occurred_at)
        for key, version in agreed.items()
    )
    return {"user_id": user.pk, "username": user.username, "consents": agreed}


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssueApiToken(Command):
    """Give the acting staff member a bearer token; the caller keeps the token, we keep its
    hash."""

    continuity = Continuity.LOCAL

    token_hash: str
    expires_at: datetime


@handler(IssueApiToken)
def issue_api_token(cmd: IssueApiToken, *, ctx: Context) -> dict[str, object]:
    if ctx.actor.kind != ActorKind.STAFF or ctx.actor.id is None:
        raise ValidationFailed(
            "직원만 토큰을 받을 수 있습니다.", "Only staff get tokens.", field="username"
        )
    token = ApiToken.objects.create(
        user_id=ctx.actor.id,
        key_hash=cmd.token_hash,
        created_at=ctx.recorded_at,
        expires_at=cmd.expires_at,
    )
    return {"token_id": token.pk, "expires_at": cmd.expires_at.isoformat()}


@dataclasses.dataclass(frozen=True, kw_only=True)
class RegisterAgencyClient(Command):
    """Register an agency system allowed to call the API within ``jurisdiction``, with the
    permissions stored on its key. The caller draws the key and sends only its hash."""

    permission = AccountsPermission.MANAGE
    name: str
    prefix: str
    key_hash: str
    permissions: list[str]


def _check_key_permissions(ctx: Context, wanted: list[str], scope: str) -> None:
    """An administrator gives a key only permissions they hold over its jurisdiction."""
    if ctx.actor.kind == ActorKind.SYSTEM:
        return
    if not wanted:
        raise ValidationFailed(
            "허용할 권한을 하나 이상 고르세요.", "Choose at least one permission.",
            field="permissions",
        )  # fmt: skip
    for name in wanted:
        if name not in declared or not ctx.allowed(name, scope):
            raise Forbidden(
                "자신이 가진 권한을 넘는 권한은 기관 키에 줄 수 없습니다.",
                "You cannot give a key rights you do not hold there.",
                field="permissions",
                code="beyond_own_rights",
            )


@handler(RegisterAgencyClient)
def register_agency_client(cmd: RegisterAgencyClient, *, ctx: Context) -> dict[str, object]:
    scope = jurisdictions.get(cmd.jurisdiction)
    if not cmd.name.strip() or len(cmd.name) > 100:
        raise ValidationFailed(
            "기관명을 100자 이내로 입력하세요.", "Enter the agency's name.", field="name"
        )
    _check_key_permissions(ctx, cmd.permissions, cmd.jurisdiction)
    if AgencyClient.objects.filter(prefix=cmd.prefix).exists():
        raise Conflict("이미 등록된 키입니다.", "Key prefix already registered.", field="prefix")
    client = AgencyClient.objects.create(
        name=cmd.name.strip(),
        prefix=cmd.prefix,
        key_hash=cmd.key_hash,
        jurisdiction=scope,
        permissions=cmd.permissions,
        created_at=ctx.recorded_at,
    )
    return {"client_id": client.pk}


def _agency_client(ctx: Context, client_id: int) -> AgencyClient:
    """The live key, locked, if it lies in the command's jurisdiction (the pipeline checked
    the actor over it); another's or a revoked one answers as none."""
    client = (
        AgencyClient.objects.select_for_update()
        .filter(pk=client_id, jurisdiction_id=ctx.command.jurisdiction, active=True)
        .first()
    )
    if client is None:
        raise NotFound("기관 키를 찾을 수 없습니다.", "Agency key not found.", field="client_id")
    return client


@dataclasses.dataclass(frozen=True, kw_only=True)
class RotateAgencyKey(Command):
    """교체: the agency gets a new secret under the same prefix (its signing key's id); the
    old secret stops working at once. The caller sends only the new secret's hash."""

    permission = AccountsPermission.MANAGE
    client_id: int
    key_hash: str


@handler(RotateAgencyKey)
def rotate_agency_key(cmd: RotateAgencyKey, *, ctx: Context) -> dict[str, object]:
    client = _agency_client(ctx, cmd.client_id)
    AgencyClient.objects.filter(pk=client.pk).update(key_hash=cmd.key_hash)
    return {"client_id": client.pk, "prefix": client.prefix}


@dataclasses.dataclass(frozen=True, kw_only=True)
class RevokeAgencyClient(Command):
    """폐기: the agency's key stops working for good (the row stays: the message log and
    the audit trail name it)."""

    permission = AccountsPermission.MANAGE
    client_id: int


@handler(RevokeAgencyClient)
def revoke_agency_client(cmd: RevokeAgencyClient, *, ctx: Context) -> dict[str, object]:
    client = _agency_client(ctx, cmd.client_id)
    AgencyClient.objects.filter(pk=client.pk).update(active=False)
    return {"client_id": client.pk, "active": False}


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecordSignIn(Command):
    """A successful log-in, kept in the audit chain and counted by the situation room."""

    room_category = RoomCategory.LOGINS

    continuity = Continuity.LOCAL

    method: str = "password"


@handler(RecordSignIn)
def record_sign_in(cmd: RecordSignIn, *, ctx: Context) -> dict[str, object]:
    if ctx.actor.id is not None:
        User.objects.filter(pk=ctx.actor.id).update(last_login=ctx.recorded_at)
    return {"user": str(ctx.actor), "method": cmd.method}


# --- kiosk devices (무인민원발급기) -------------------------------------------------------

_DEVICE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,39}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
#: A device reports at most once per this many seconds (``RecordKioskHeartbeat``).
HEARTBEAT_SECONDS = 60


def _check_hash(value: str, field: str) -> None:
    if not _HASH.match(value):
        raise ValidationFailed(
            "비밀값은 SHA-256 다이제스트로만 전달됩니다.",
            "Secrets travel only as SHA-256 hex digests.",
            field=field,
        )


def _device_in(cmd: Command, device_id: str) -> KioskDevice:
    """The device, locked, if it stands in the command's jurisdiction — the one its
    permission was checked over. Another office's device is 'not found', like an absent one."""
    device = KioskDevice.objects.select_for_update().filter(device_id=device_id).first()
    if device is None or not jurisdictions.contains(cmd.jurisdiction, device.office_id):
        raise NotFound(
            "등록된 무인민원발급기를 찾을 수 없습니다.",
            "Kiosk device not found.",
            field="device_id",
        )
    return device


def _not_revoked(device: KioskDevice) -> None:
    if device.revoked_at is not None:
        raise Conflict(
            "해지된 무인민원발급기입니다. 새로 등록하세요.",
            "This kiosk device was revoked; enrol it anew.",
            field="device_id",
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class EnrollKioskDevice(Command):
    """An administrator registers a kiosk standing at the office ``jurisdiction``. The
    device is usable once someone types the one-time hand-over code (``handover_hash`` is
    its digest) on the kiosk itself, which exchanges it for the device secret
    (``HandOverKioskDevice``)."""

    permission = AccountsPermission.KIOSKS
    device_id: str
    name: str
    handover_hash: str
    handover_expires_at: datetime


@handler(EnrollKioskDevice)
def enroll_kiosk_device(cmd: EnrollKioskDevice, *, ctx: Context) -> dict[str, object]:
    name = cmd.name.strip()
    if not 1 <= len(name) <= 100:
        raise ValidationFailed(
            "설치 위치를 100자 이내로 입력하세요.",
            "Enter where the kiosk stands (at most 100 characters).",
            field="name",
        )
    if not _DEVICE_ID.match(cmd.device_id):
        raise ValidationFailed(
            "기기 번호는 영문 소문자, 숫자, - 로 3~40자여야 합니다.",
            "Device ids are 3-40 lowercase letters, digits or -.",
            field="device_id",
        )
    _check_hash(cmd.handover_hash, "handover_hash")
    if KioskDevice.objects.filter(device_id=cmd.device_id).exists():
        raise Conflict("이미 등록된 기기 번호입니다.", "Device id taken.", field="device_id")
    device = KioskDevice.objects.create(
        device_id=cmd.device_id, name=name, office=jurisdictions.get(cmd.jurisdiction),
        handover_hash=cmd.handover_hash, handover_expires_at=cmd.handover_expires_at,
        enrolled_at=ctx.recorded_at, enrolled_by=ctx.actor.name or str(ctx.actor),
    )  # fmt: skip
    return {"device_id": device.device_id, "office": device.office_id}


@dataclasses.dataclass(frozen=True, kw_only=True)
class RotateKioskKey(Command):
    """A new one-time hand-over code for a device (a replaced kiosk PC, a lost cookie, a
    routine change of key). The current secret keeps working until the new code is typed
    on the kiosk, so the kiosk serves until the administrator stands at it; a secret that
    may have leaked is a case for ``RevokeKioskDevice``."""

    permission = AccountsPermission.KIOSKS
    device_id: str
    handover_hash: str
    handover_expires_at: datetime


@handler(RotateKioskKey)
def rotate_kiosk_key(cmd: RotateKioskKey, *, ctx: Context) -> dict[str, object]:
    _check_hash(cmd.handover_hash, "handover_hash")
    device = _device_in(cmd, cmd.device_id)
    _not_revoked(device)
    device.handover_hash = cmd.handover_hash
    device.handover_expires_at = cmd.handover_expires_at
    device.save(update_fields=["handover_hash", "handover_expires_at"])
    return {"device_id": device.device_id}


@dataclasses.dataclass(frozen=True, kw_only=True)
class RevokeKioskDevice(Command):
    """해지: the device and any pending hand-over code stop working at once; its kiosk
    pages answer the 대체 창구 안내 from the next request on (the secret's digest is kept,
    so the kiosk is told it was revoked rather than that it is unknown)."""

    permission = AccountsPermission.KIOSKS
    device_id: str
    reason: str = ""


@handler(RevokeKioskDevice)
def revoke_kiosk_device(cmd: RevokeKioskDevice, *, ctx: Context) -> dict[str, object]:
    device = _device_in(cmd, cmd.device_id)
    _not_revoked(device)
    device.revoked_at = ctx.recorded_at
    device.revoked_reason = cmd.reason.strip()[:200]
    device.handover_hash = ""
    device.save(update_fields=["revoked_at", "revoked_reason", "handover_hash"])
    return {"device_id": device.device_id, "revoked_at": ctx.recorded_at.isoformat()}


def _wrong_handover() -> ValidationFailed:
    return ValidationFailed(
        "등록 코드가 맞지 않거나 만료되었습니다. 관리자 화면에서 새 코드를 받으세요.",
        "The hand-over code is wrong or expired; issue a new one on the admin screen.",
        field="code",
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class HandOverKioskDevice(Command):
    """On the kiosk: the one-time hand-over code (``handover_hash``) becomes the device's
    secret (``secret_hash``; the secret itself goes only into the kiosk's cookie). The
    code is used up; a former secret of the device stops working."""

    handover_hash: str
    secret_hash: str


@handler(HandOverKioskDevice)
def hand_over_kiosk_device(cmd: HandOverKioskDevice, *, ctx: Context) -> dict[str, object]:
    _check_hash(cmd.handover_hash, "code")
    _check_hash(cmd.secret_hash, "secret_hash")
    device = (
        KioskDevice.objects.select_for_update()
        .filter(handover_hash=cmd.handover_hash, revoked_at__isnull=True)
        .first()
    )
    if (
        device is None
        or device.office_id != cmd.jurisdiction
        or device.handover_expires_at is None
        or device.handover_expires_at < ctx.recorded_at
    ):
        raise _wrong_handover()
    device.secret_hash = cmd.secret_hash
    device.handover_hash = ""
    device.handover_expires_at = None
    device.handed_over_at = device.last_seen_at = ctx.recorded_at
    device.save(
        update_fields=[
            "secret_hash", "handover_hash", "handover_expires_at", "handed_over_at",
            "last_seen_at",
        ]
    )  # fmt: skip
    return {"device_id": device.device_id, "office": device.office_id}


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecordKioskHeartbeat(Command):
    """A kiosk device showed it is alive (any kiosk request, at most once a minute): the
    situation room's 마지막 응답, and 응답 없음 when it stops."""

    continuity = Continuity.LOCAL

    device_id: str


@handler(RecordKioskHeartbeat)
def record_kiosk_heartbeat(cmd: RecordKioskHeartbeat, *, ctx: Context) -> dict[str, object]:
    # Conditional: concurrent requests of one device write once a minute, not once each.
    since = ctx.recorded_at - timedelta(seconds=HEARTBEAT_SECONDS)
    updated = (
        KioskDevice.objects.filter(
            device_id=cmd.device_id, office_id=cmd.jurisdiction, revoked_at__isnull=True
        )
        .filter(models.Q(last_seen_at__isnull=True) | models.Q(last_seen_at__lt=since))
        .update(last_seen_at=ctx.recorded_at)
    )
    return {"device_id": cmd.device_id, "updated": updated}

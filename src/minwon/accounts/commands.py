"""Account commands: staff accounts and their role grants, citizen sign-up with identity
proofing, agency API clients and staff API tokens.

Passwords and keys never travel in a command in clear: the caller hashes them first, so
the stored command payload holds only hashes.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from minwon.accounts import consent
from minwon.accounts.models import AgencyClient, ApiToken, Consent, Role, RoleGrant, User
from minwon.accounts.permissions import clear_cache
from minwon.accounts.roles import AccountsPermission
from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.rrn import SealedRRN
from minwon.kernel.types import ActorKind, Command, Continuity, RoomCategory

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


@handler(CreateStaffAccount)
def create_staff_account(cmd: CreateStaffAccount, *, ctx: Context) -> dict[str, object]:
    _check_username(cmd.username)
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


@handler(GrantRole)
def grant_role(cmd: GrantRole, *, ctx: Context) -> dict[str, object]:
    if cmd.role not in Role.values:
        raise ValidationFailed("알 수 없는 직무입니다.", "Unknown role.", field="role")
    user = User.objects.filter(pk=cmd.user_id, kind=User.Kind.STAFF).first()
    if user is None:
        raise NotFound("직원 계정을 찾을 수 없습니다.", "Staff account not found.", field="user_id")
    scope = jurisdictions.get(cmd.jurisdiction)
    grant, created = RoleGrant.objects.get_or_create(
        user=user,
        role=cmd.role,
        jurisdiction=scope,
        defaults={"department": cmd.department, "granted_at": ctx.recorded_at},
    )
    if user.is_staff is False and cmd.role == Role.SYSADMIN:
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    clear_cache()
    return {"grant_id": grant.pk, "created": created}


@dataclasses.dataclass(frozen=True, kw_only=True)
class RevokeRole(Command):
    permission = AccountsPermission.MANAGE
    user_id: int
    role: str


@handler(RevokeRole)
def revoke_role(cmd: RevokeRole, *, ctx: Context) -> dict[str, int]:
    deleted, _ = RoleGrant.objects.filter(
        user_id=cmd.user_id, role=cmd.role, jurisdiction_id=cmd.jurisdiction
    ).delete()
    clear_cache()
    return {"revoked": deleted}


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
    """Register an agency system allowed to call the API within ``jurisdiction``."""

    permission = AccountsPermission.MANAGE
    name: str
    prefix: str
    key_hash: str
    permissions: list[str]


@handler(RegisterAgencyClient)
def register_agency_client(cmd: RegisterAgencyClient, *, ctx: Context) -> dict[str, object]:
    scope = jurisdictions.get(cmd.jurisdiction)
    if AgencyClient.objects.filter(prefix=cmd.prefix).exists():
        raise Conflict("이미 등록된 키입니다.", "Key prefix already registered.", field="prefix")
    client = AgencyClient.objects.create(
        name=cmd.name,
        prefix=cmd.prefix,
        key_hash=cmd.key_hash,
        jurisdiction=scope,
        permissions=cmd.permissions,
        created_at=ctx.recorded_at,
    )
    return {"client_id": client.pk}


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

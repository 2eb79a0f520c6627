"""Who may use the administration screens (DESIGN §3.6): every "who may" of these pages is
decided here, from the declared permissions of the apps that own the state and the
building blocks of ``accounts.policies``. The commands check the same permissions again
through the pipeline; these predicates decide what a page shows and offers.

- The business calendar is national: declaring a 임시공휴일 needs ``kernel.manage_calendar``
  over the whole country; an administrator holding it over a 시·군·구 sees the list only.
- Staff accounts are managed with ``accounts.manage`` over the account's office; an account
  of another office answers exactly as one that does not exist (404).
- Django's own admin (read-only) is for the national system administrator: the accounts
  Django lets in (``is_staff`` and ``is_superuser``, which follow a 시스템 관리자 grant over
  the whole country; one 시·군·구's administrator works in minwon's own screens).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from minwon.accounts import policies as base
from minwon.accounts.roles import AccountsPermission
from minwon.kernel.errors import NotFound
from minwon.kernel.permissions import KernelPermission
from minwon.kernel.types import NATION, Actor
from minwon.petitions.permissions import PetitionsPermission

MANAGE_CALENDAR = KernelPermission.MANAGE_CALENDAR


def can_see_calendar(actor: Actor) -> bool:
    """The holiday list: staff holding the calendar permission somewhere (an administrator
    of a 시·군·구 sees the days the national one declares)."""
    return base.is_staff(actor) and base.holds_anywhere(actor, MANAGE_CALENDAR)


def can_manage_calendar(actor: Actor) -> bool:
    """The 임시공휴일 page: a national administrator's (the calendar has one scope)."""
    return base.is_staff(actor) and base.may(actor, MANAGE_CALENDAR, NATION)


def can_open_django_admin(user: Any) -> bool:
    """The staff home's link to ``/admin/``: only for whom Django's admin would let in."""
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and getattr(user, "is_superuser", False)
    )


# --- staff accounts and roles -------------------------------------------------------------


def can_manage_accounts(actor: Actor) -> bool:
    return base.is_staff(actor) and base.holds_anywhere(actor, AccountsPermission.MANAGE)


def staff_accounts(actor: Actor) -> QuerySet[Any]:
    """The staff accounts of the offices ``actor`` manages."""
    return base.staff_in_scope(actor)


def staff_account(actor: Actor, user_id: int) -> Any:
    """One staff account ``actor`` manages; another office's is the same 404 as none."""
    found = staff_accounts(actor).filter(pk=user_id).first()
    if found is None:
        raise NotFound("직원 계정을 찾을 수 없습니다.", "Staff account not found.", field="user_id")
    return found


def account_offices(actor: Actor) -> list[tuple[str, str]]:
    """The offices (current divisions) whose accounts ``actor`` manages, as choices."""
    from minwon.kernel.models import Jurisdiction

    units = base.within(Jurisdiction.objects.filter(valid_to__isnull=True), actor,
                        AccountsPermission.MANAGE).order_by("path")  # fmt: skip
    return [(j.code, j.full_name) for j in units]


def grantable_roles(actor: Actor, jurisdiction: str) -> list[tuple[str, str]]:
    """The roles ``actor`` may grant over ``jurisdiction`` (none beyond their own rights)."""
    from minwon.accounts.models import Role

    return [(r.value, str(r.label)) for r in Role if base.may_grant(actor, r.value, jurisdiction)]


def may_revoke(actor: Actor, jurisdiction: str) -> bool:
    return base.may(actor, AccountsPermission.MANAGE, jurisdiction)


# --- agency keys ----------------------------------------------------------------------------

#: What an agency system's key may be given: a sharing request (행정정보 공동이용), an
#: issuance by an agency system, an edge node's replay.
AGENCY_PERMISSIONS = (
    "sharing.request",
    "documents.agency_issue",
    "continuity.replay",
)


def agency_keys(actor: Actor) -> QuerySet[Any]:
    """Agency keys whose jurisdiction lies in ``actor``'s scopes for ``accounts.manage``."""
    from minwon.accounts.models import AgencyClient

    keys = AgencyClient.objects.select_related("jurisdiction")
    return base.restrict(keys, actor, AccountsPermission.MANAGE)


def agency_key(actor: Actor, client_id: int) -> Any:
    found = agency_keys(actor).filter(pk=client_id).first()
    if found is None:
        raise NotFound("기관 키를 찾을 수 없습니다.", "Agency key not found.", field="client_id")
    return found


def key_permissions(actor: Actor, jurisdiction: str) -> list[tuple[str, str]]:
    """The permissions ``actor`` may put on a key over ``jurisdiction``, as choices."""
    from minwon.kernel.permissions import declared

    return [
        (name, f"{declared[name].label} ({name})")
        for name in AGENCY_PERMISSIONS
        if name in declared and base.may(actor, name, jurisdiction)
    ]


# --- the petition catalog -------------------------------------------------------------------

CATALOG = PetitionsPermission.CATALOG


def can_see_catalog(actor: Actor) -> bool:
    """The catalog's versions: staff holding ``petitions.catalog`` somewhere (the catalog
    itself is public; its history is the administrators' working view)."""
    return base.is_staff(actor) and base.holds_anywhere(actor, CATALOG)


def can_publish_catalog(actor: Actor) -> bool:
    """The catalog is national: a new version needs ``petitions.catalog`` over the country."""
    return base.is_staff(actor) and base.may(actor, CATALOG, NATION)

"""The building blocks of every app's ``policies.py`` (DESIGN §3.6): who the actor is,
whether it holds a permission somewhere or over a jurisdiction, jurisdiction-scoped
querysets (NetBox's ``RestrictedQuerySet.restrict(user, action)``), and querysets of
personal data that write the access log themselves when their rows are read.

Apps decide *what* is visible in their own ``policies.py`` with these; pages, the API and
other apps ask those policies and never call ``accounts.permissions`` directly. A refusal
to read an object is the object's own ``NotFound`` whether it is absent or out of scope,
so a refusal never tells which records exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, Generic, Self, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.query import ModelIterable

from minwon.accounts import permissions
from minwon.kernel.errors import Forbidden, NotFound
from minwon.kernel.permissions import matches
from minwon.kernel.privacy import log_reads
from minwon.kernel.types import NATION, Actor, ActorKind, Channel

M = TypeVar("M", bound=models.Model)


def is_staff(actor: Actor) -> bool:
    return actor.kind == ActorKind.STAFF


def is_citizen(actor: Actor) -> bool:
    return actor.kind == ActorKind.CITIZEN


def may(actor: Actor, permission: str, jurisdiction: str) -> bool:
    """Whether ``actor`` holds ``permission`` over ``jurisdiction``."""
    return permissions.is_allowed(actor, permission, jurisdiction)


def holds_anywhere(actor: Actor, permission: str) -> bool:
    """Whether ``actor`` holds ``permission`` over at least one jurisdiction (a menu entry,
    a list page that shows only what is in scope)."""
    return bool(permissions.scopes_for(actor, permission))


def scope_paths(actor: Actor, permission: str) -> list[str]:
    """Jurisdiction paths whose subtrees ``actor`` may act on with ``permission``."""
    return permissions.scope_paths(actor, permission)


def require(actor: Actor, permission: str, jurisdiction: str) -> None:
    """403 unless ``actor`` holds ``permission`` over ``jurisdiction``: for an act on a
    record the actor may already read, so the refusal reveals nothing new."""
    permissions.authorize(actor, permission, jurisdiction)


def require_anywhere(actor: Actor, permission: str) -> None:
    """403 unless ``actor`` holds ``permission`` somewhere (a page listing what is in
    scope: there is no record to reveal)."""
    if not holds_anywhere(actor, permission):
        permissions.authorize(actor, permission, NATION)


def require_staff(actor: Actor) -> None:
    if not is_staff(actor):
        raise Forbidden(
            "직원 계정으로 이용하세요.", "Staff accounts only.", code="permission_denied"
        )


def require_citizen(actor: Actor) -> None:
    if not is_citizen(actor):
        raise Forbidden(
            "시민 계정으로 이용하세요.", "Citizen accounts only.", code="permission_denied"
        )


def restrict(
    queryset: QuerySet[M], actor: Actor, permission: str, *, field: str = "jurisdiction"
) -> QuerySet[M]:
    """``queryset`` cut to rows whose ``field`` (a Jurisdiction foreign key) lies in the
    actor's scopes for ``permission``."""
    scoped: QuerySet[M] = permissions.in_scope(queryset, actor, permission, field=field)
    return scoped


def within(queryset: QuerySet[M], actor: Actor, permission: str) -> QuerySet[M]:
    """Jurisdictions (``queryset`` of ``kernel.Jurisdiction``) inside the actor's scopes."""
    paths = scope_paths(actor, permission)
    if f"{NATION}/" in paths:
        return queryset
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return queryset.filter(condition)


@dataclasses.dataclass(frozen=True)
class Access:
    """What the access log records when rows of a personal queryset are read: who, through
    which channel, why, whose record (``subject``: the attribute holding the person's id)
    and what (``label``, with the row's key when ``keyed``)."""

    actor: Actor
    channel: str
    purpose: str
    subject: str
    label: str
    keyed: bool

    def rows(self, pairs: list[tuple[Any, Any]]) -> list[tuple[str, str]]:
        return [
            (str(subject), f"{self.label}:{pk}" if self.keyed else self.label)
            for pk, subject in pairs
            if subject is not None
        ]

    def write(self, pairs: list[tuple[Any, Any]]) -> None:
        rows = self.rows(pairs)
        if rows:
            log_reads(actor=self.actor, channel=self.channel, purpose=self.purpose, reads=rows)


class PersonalQuerySet(QuerySet[M]):
    """A queryset whose rows show a person's data: reading them (iterating, ``first()``,
    ``get()``, ``list()``, ``iterator()``) writes one access-log row per row read, so no
    page or endpoint built on it can forget the log. Counting and ``exists()`` show nothing
    and log nothing."""

    _access: Access | None = None

    def _clone(self) -> Self:
        clone: Self = super()._clone()  # type: ignore[misc]
        clone._access = self._access
        return clone

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._access is not None and self._result_cache:
            self._log(self._result_cache)

    def iterator(self, chunk_size: int | None = None) -> Iterator[M]:
        rows = list(super().iterator(chunk_size=chunk_size))
        if self._access is not None and rows:
            self._log(rows)
        return iter(rows)

    def _log(self, rows: list[Any]) -> None:
        access = self._access
        assert access is not None
        if self._iterable_class is ModelIterable:
            access.write([(r.pk, getattr(r, access.subject)) for r in rows])
            return
        # values() / values_list(): read the keys of the same rows once more.
        keys = self._clone()
        keys._access = None
        access.write(list(keys.values_list("pk", access.subject)))


def personal(
    queryset: QuerySet[M],
    *,
    actor: Actor,
    purpose: str,
    channel: Channel | str,
    subject: str = "pk",
    label: str = "read",
    keyed: bool = False,
) -> PersonalQuerySet[M]:
    """``queryset`` as a ``PersonalQuerySet`` that logs every row read (see above)."""
    out: PersonalQuerySet[M] = PersonalQuerySet(
        model=queryset.model, query=queryset.query.chain(), using=queryset.db
    )
    out._prefetch_related_lookups = queryset._prefetch_related_lookups  # type: ignore[attr-defined]
    out._access = Access(
        actor=actor,
        channel=str(getattr(channel, "value", channel)),
        purpose=(purpose or "").strip() or label,
        subject=subject,
        label=label,
        keyed=keyed,
    )
    return out


Row = TypeVar("Row", bound=models.Model)


@dataclasses.dataclass(frozen=True)
class OwnedRegister(Generic[Row]):
    """The read policy of a linked register whose rows each belong to one person and lie
    in one jurisdiction (vehicles, parcels, permits, tax bills): staff read a row with the
    register's permission over its jurisdiction, every row read logs its owner, and out of
    scope and absent are the same 404. Each such app declares one and names its methods."""

    model: type[Row]
    permission: str
    owner: str  # the owner's FK attribute, e.g. "owner_id"
    label: str  # what the access log names the read as, e.g. "vehicle"
    purpose: str  # the default purpose logged
    missing: tuple[str, str, str]  # the 404's Korean, English and field
    order: tuple[str, ...] = ("id",)

    def scoped(self, actor: Actor, permission: str | None = None) -> QuerySet[Row]:
        """Rows in scope, unlogged: for commands and certificate providers that record the
        read themselves (an issuance is its own record)."""
        relation = self.owner.removesuffix("_id")
        rows = self.model._default_manager.select_related(relation, "jurisdiction")
        return restrict(rows, actor, permission or self.permission)

    def visible(
        self,
        actor: Actor,
        permission: str | None = None,
        *,
        purpose: str,
        channel: Channel | str = Channel.COUNTER,
    ) -> QuerySet[Row]:
        """Rows ``actor`` may read; each one read logs its owner (``<label>:<id>``)."""
        return personal(
            self.scoped(actor, permission), actor=actor, purpose=purpose or self.purpose,
            channel=channel, subject=self.owner, label=self.label, keyed=True,
        )  # fmt: skip

    def can_read(self, actor: Actor, row: Row) -> bool:
        return may(actor, self.permission, row.jurisdiction_id)  # type: ignore[attr-defined]

    def one(
        self, actor: Actor, pk: int, *, purpose: str, channel: Channel | str = Channel.COUNTER
    ) -> Row:
        found = self.visible(actor, purpose=purpose, channel=channel).filter(pk=pk).first()
        if found is None:
            ko, en, field = self.missing
            raise NotFound(ko, en, field=field)
        return found

    def of_person(
        self,
        actor: Actor,
        person_id: int,
        *,
        purpose: str,
        channel: Channel | str = Channel.COUNTER,
        limit: int = 100,
    ) -> list[Row]:
        """A person's rows that ``actor`` may read (the person page and the API alike)."""
        rows = self.visible(actor, purpose=purpose, channel=channel)
        return list(rows.filter(**{self.owner: person_id}).order_by(*self.order)[:limit])


# --- kiosk devices (무인민원발급기) -----------------------------------------------------


def kiosk_devices(actor: Actor, permission: str | None = None) -> QuerySet[Any]:
    """The kiosk devices standing in the actor's scopes: for their administrators
    (``accounts.kiosks``, the default) or, given ``ops.room``, for the situation room."""
    from minwon.accounts.models import KioskDevice
    from minwon.accounts.roles import AccountsPermission

    rows = KioskDevice.objects.select_related("office").order_by("office_id", "name")
    return restrict(rows, actor, permission or AccountsPermission.KIOSKS, field="office")


def kiosk_device(actor: Actor, device_id: str) -> Any:
    """One device its administrator may manage; another office's and an absent one are
    the same 404."""
    found = kiosk_devices(actor).filter(device_id=device_id).first()
    if found is None:
        raise NotFound(
            "등록된 무인민원발급기를 찾을 수 없습니다.",
            "Kiosk device not found.",
            field="device_id",
        )
    return found


def may_manage_kiosks(actor: Actor) -> bool:
    """The administrator's screen and its menu entry."""
    from minwon.accounts.roles import AccountsPermission

    return holds_anywhere(actor, AccountsPermission.KIOSKS)


# --- staff accounts and their roles (the administration screens and the account commands) --


def staff_in_scope(actor: Actor) -> QuerySet[Any]:
    """Staff accounts whose office lies in ``actor``'s scopes for ``accounts.manage``."""
    from minwon.accounts.models import User
    from minwon.accounts.roles import AccountsPermission

    staff = User.objects.filter(kind=User.Kind.STAFF).select_related("office")
    return restrict(staff, actor, AccountsPermission.MANAGE, field="office")


def may_manage_account(actor: Actor, office: str | None) -> bool:
    """Whether ``actor`` manages accounts of ``office`` (an account without an office is
    the national administrators')."""
    from minwon.accounts.roles import AccountsPermission

    return may(actor, AccountsPermission.MANAGE, office or NATION)


def may_grant(actor: Actor, role: str, jurisdiction: str) -> bool:
    """An administrator grants only what they hold themselves over ``jurisdiction``: every
    permission of the role, and the system administrator's "everything" only by who holds
    everything there."""
    if actor.kind == ActorKind.SYSTEM:
        return True
    held = permissions.permissions_over(actor, jurisdiction)
    wanted = permissions.role_permissions(role)
    if "*" in wanted:
        return "*" in held
    return all(any(matches(h, p) for h in held) for p in wanted)

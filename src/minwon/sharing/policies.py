"""Who may do what in 행정정보 공동이용: every "who may" of this app, decided here and
nowhere else, from ``minwon.accounts.permissions``."""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.accounts.permissions import in_scope, is_allowed
from minwon.accounts.roles import AccountsPermission
from minwon.kernel.types import Actor, ActorKind
from minwon.licensing.permissions import LicensingPermission

from .permissions import SharingPermission

REQUEST = SharingPermission.REQUEST
CONSENT_AT_COUNTER = SharingPermission.CONSENT_COUNTER
READ_LOG = SharingPermission.READ_LOG
MANAGE_PROVIDERS = SharingPermission.MANAGE_PROVIDERS
DISCLOSE = SharingPermission.DISCLOSE
SANCTION_CHECK = LicensingPermission.SANCTION_CHECK
MANAGE_KEYS = AccountsPermission.MANAGE


def can_request(actor: Actor, provider: str) -> bool:
    """An agency system (or officer) may ask a provider for shared information."""
    return is_allowed(actor, REQUEST, provider)


def can_record_consent_at_counter(actor: Actor, office: str) -> bool:
    return actor.kind == ActorKind.STAFF and is_allowed(actor, CONSENT_AT_COUNTER, office)


def may_check_sanctions(actor: Actor) -> bool:
    """The national sanction check is a staff act (the command checks the permission over
    the officer's office)."""
    return actor.kind == ActorKind.STAFF


def is_citizen(actor: Actor) -> bool:
    return actor.kind == ActorKind.CITIZEN and actor.id is not None


def can_read_log(actor: Actor) -> bool:
    from minwon.accounts.permissions import scopes_for

    return bool(scopes_for(actor, READ_LOG))


def visible_messages(actor: Actor, perm: str = READ_LOG) -> QuerySet:  # type: ignore[type-arg]
    """The message-log entries an operator or auditor may search: those whose provider lies
    in their scope (a national operator sees all; denials without a provider too)."""
    from .models import SharingMessage

    qs = SharingMessage.objects.select_related("provider")
    return in_scope(qs, actor, perm, field="provider")  # type: ignore[no-any-return]


def visible_objections(actor: Actor, perm: str = READ_LOG) -> QuerySet:  # type: ignore[type-arg]
    """The 이의 제기 cases an auditor or operator may see: those of their jurisdiction."""
    from .models import Objection

    return in_scope(  # type: ignore[no-any-return]
        Objection.objects.select_related("jurisdiction"), actor, perm
    )

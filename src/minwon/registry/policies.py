"""Who may read the resident registry (주민등록), decided here for pages, the API and other
apps (DESIGN §3.6).

Staff read persons and households inside their jurisdiction subtree with ``registry.read``;
every person read is access-logged by the queryset itself (``accounts.policies.personal``).
Out of scope and absent are the same 404. The one national read is the exact-RRN look-up
of the destination office registering a 전입신고 (``registry.move_in`` anywhere).
"""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.accounts import policies as base
from minwon.kernel.errors import NotFound
from minwon.kernel.models import Jurisdiction
from minwon.kernel.types import Actor, Channel

from .models import Household, Person
from .permissions import RegistryPermission

READ = RegistryPermission.READ
MOVE_IN = RegistryPermission.MOVE_IN
HOUSEHOLD = RegistryPermission.HOUSEHOLD
STATUS = RegistryPermission.STATUS
REVEAL = RegistryPermission.REVEAL_RRN


def person_not_found() -> NotFound:
    return NotFound("주민을 찾을 수 없습니다.", "Person not found.", field="person_id")


def household_not_found() -> NotFound:
    return NotFound("세대를 찾을 수 없습니다.", "Household not found.", field="household_id")


def visible(
    actor: Actor,
    permission: str = READ,
    *,
    purpose: str,
    channel: Channel | str = Channel.COUNTER,
    label: str = "read",
) -> QuerySet[Person]:
    """Persons ``actor`` may read with ``permission``; each one read is logged."""
    scoped = base.restrict(Person.objects.select_related("jurisdiction"), actor, permission)
    return base.personal(scoped, actor=actor, purpose=purpose, channel=channel, label=label)


def can_read(actor: Actor, person: Person) -> bool:
    return base.may(actor, READ, person.jurisdiction_id)


def person(
    actor: Actor,
    person_id: int,
    *,
    purpose: str,
    channel: Channel | str = Channel.COUNTER,
    permission: str = READ,
) -> Person:
    """One person in scope for ``permission`` (reading, or a counter page that changes
    them), logged as ``detail``; 404 otherwise."""
    found = visible(actor, permission, purpose=purpose, channel=channel, label="detail")
    found = found.filter(pk=person_id)
    row = found.first()
    if row is None:
        raise person_not_found()
    return row


def visible_households(
    actor: Actor, permission: str = READ, *, purpose: str, channel: Channel | str
) -> QuerySet[Household]:
    """Households in scope; reading one logs its head (``household``)."""
    scoped = base.restrict(
        Household.objects.select_related("jurisdiction", "head"), actor, permission
    )
    return base.personal(
        scoped, actor=actor, purpose=purpose, channel=channel, subject="head_id", label="household"
    )


def household(
    actor: Actor,
    household_id: int,
    *,
    purpose: str,
    channel: Channel | str = Channel.COUNTER,
    permission: str = READ,
) -> Household:
    """One household in scope for ``permission`` (404 otherwise); every current member's
    read is logged."""
    from . import queries

    found = visible_households(actor, permission, purpose=purpose, channel=channel)
    found = found.filter(pk=household_id)
    row = found.first()
    if row is None:
        raise household_not_found()
    others = [m.person_id for m in queries.members_of(row) if m.person_id != row.head_id]
    base.Access(actor, str(channel), purpose, "pk", "household", False).write(
        [(pid, pid) for pid in others]
    )
    return row


def can_reveal_rrn(actor: Actor, person: Person) -> bool:
    return base.may(actor, REVEAL, person.jurisdiction_id)


def require_reveal_rrn(actor: Actor, person: Person) -> None:
    """403 unless the role may see the full number here (the person is already readable)."""
    base.require(actor, REVEAL, person.jurisdiction_id)


def require_move_in_look_up(actor: Actor) -> None:
    """The national exact-RRN look-up needs ``registry.move_in`` somewhere."""
    base.require_anywhere(actor, MOVE_IN)


def move_in_destinations(actor: Actor) -> QuerySet[Jurisdiction]:
    """읍·면·동 in force where ``actor`` may register a move-in (the destination rule)."""
    units = Jurisdiction.objects.filter(level="eupmyeondong", valid_to__isnull=True)
    return base.within(units, actor, MOVE_IN)


def require_staff_page(actor: Actor) -> None:
    """Registry staff pages (search, counter) are for staff; what they show is scoped."""
    base.require_staff(actor)


def may_change_household(actor: Actor, household: Household) -> bool:
    """Whether the household page offers 세대주 변경, 합가 and 분리 (the pages and the
    commands check again)."""
    return base.may(actor, HOUSEHOLD, household.jurisdiction_id)


def may_move_in_somewhere(actor: Actor) -> bool:
    """Whether to offer 세대 전체 전입 (the destination office decides; see ``movein``)."""
    return base.holds_anywhere(actor, MOVE_IN)


def may_record_status(actor: Actor, person: Person) -> bool:
    """Whether the person page offers 사망·국외이주 신고."""
    return base.may(actor, STATUS, person.jurisdiction_id)

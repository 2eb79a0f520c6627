"""Registry reads, shared by pages, the API and other apps (certificates read households
and address histories here). Keep these signatures stable.

Every function that shows a person to staff or an agency takes the ``actor`` and the
``purpose`` and writes the personal-data access log (DESIGN §3.4). Who may read whom is
``registry.policies``; the only national read is the exact-RRN look-up for a move-in,
because the destination office registers a move-in from anywhere (see ``registry.movein``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Any

from minwon.accounts.policies import personal
from minwon.kernel import rrn
from minwon.kernel.errors import NotFound, ValidationFailed
from minwon.kernel.privacy import log_access
from minwon.kernel.types import Actor, Channel

from . import policies, snapshot
from .models import Household, PendingMoveIn, Person, Residence
from .snapshot import HouseholdView, Member, SealedPerson

SEARCH_LIMIT = 50


def _need_purpose(purpose: str) -> str:
    text = (purpose or "").strip()
    if not text:
        raise ValidationFailed(
            "열람 목적을 입력하세요.", "State the purpose of this read.", field="purpose"
        )
    return text


def search_persons(
    actor: Actor,
    *,
    purpose: str,
    name: str = "",
    birth_date: date | None = None,
    rrn_text: str = "",
    channel: str = Channel.COUNTER,
    limit: int = SEARCH_LIMIT,
) -> list[Person]:
    """Search by exact RRN (blind index), or by part of a name ("김", "민원") narrowed by a
    birth date, within scope — the counter's person picker and the staff search alike.
    A single character needs the birth date, or it would list half an office's residents.
    Each person returned is access-logged (``policies.visible``)."""
    purpose = _need_purpose(purpose)
    qs = policies.visible(actor, purpose=purpose, channel=channel, label="search")
    part = " ".join((name or "").split())
    if rrn_text:
        index = rrn.blind_index(rrn.parse(rrn_text, field="rrn"))
        qs = qs.filter(rrn_index=index)
    elif part:
        if len(part) < 2 and birth_date is None:
            raise ValidationFailed(
                "성명을 한 글자만 넣을 때는 생년월일도 입력하세요.",
                "With a one-character name, enter the birth date too.",
                field="birth_date",
            )
        qs = qs.filter(name__contains=part)
        if birth_date is not None:
            qs = qs.filter(birth_date=birth_date)
    else:
        raise ValidationFailed(
            "성명 또는 주민등록번호로 검색하세요.",
            "Search by name or by resident registration number.",
            field="name",
        )
    return list(qs.order_by("name", "birth_date", "id")[:limit])


def person_for_move_in(actor: Actor, rrn_text: str, *, channel: str = Channel.COUNTER) -> Person:
    """National exact-RRN look-up for a 전입신고 at the destination office; needs
    ``registry.move_in`` somewhere and is logged with that purpose."""
    policies.require_move_in_look_up(actor)
    index = rrn.blind_index(rrn.parse(rrn_text, field="rrn"))
    national = Person.objects.select_related("jurisdiction").filter(rrn_index=index)
    found = personal(
        national, actor=actor, purpose="전입신고", channel=channel, label="move_in_lookup"
    ).first()
    if found is None:
        raise NotFound(
            "주민등록번호에 해당하는 주민이 없습니다.",
            "No resident with this number.",
            field="rrn",
        )
    return found


def person_detail(
    actor: Actor, person_id: int, *, purpose: str, channel: str = Channel.COUNTER
) -> Person:
    """One person in scope (404 otherwise), logged."""
    return policies.person(actor, person_id, purpose=_need_purpose(purpose), channel=channel)


def household_detail(
    actor: Actor, household_id: int, *, purpose: str, channel: str = Channel.COUNTER
) -> Household:
    """One household in scope (404 otherwise); every current member's read is logged."""
    return policies.household(actor, household_id, purpose=_need_purpose(purpose), channel=channel)


def members_of(household: Household | HouseholdView | int) -> list[Member]:
    """Current members in the order of the 주민등록표 (head, spouse, children … then by
    birth date), from the household snapshot: each ``person`` holds the name and the
    sealed number."""
    hid = household if isinstance(household, int) else household.pk
    view = snapshot.household_view(hid)
    return view.members if view is not None else []


def household_of(person: Person | int) -> Household | None:
    """The person's current household (None after death, emigration …), with its
    ``jurisdiction`` and ``head`` loaded."""
    pid = person.pk if isinstance(person, Person) else person
    return (
        Household.objects.select_related("jurisdiction", "head")
        .filter(members__person_id=pid, members__left_on__isnull=True)
        .first()
    )


def household_with_members(person: Person | int) -> tuple[HouseholdView, list[Member]] | None:
    """The snapshot of the person's current household and its members, one read by key (a
    등본 prints both, on the hottest path of the system)."""
    pid = person.pk if isinstance(person, Person) else person
    view = snapshot.household_of_person(pid)
    return (view, view.members) if view is not None else None


def person_with_household(
    index: str,
) -> tuple[Any, tuple[HouseholdView, list[Member]] | None] | None:
    """The person with an RRN blind index and ``household_with_members`` of them: a
    resident asking for their own 등본 or 초본 at a kiosk, a counter or online needs both,
    and this is the request the system answers most. A current member comes from the
    household snapshot (one read); anyone else is their ``Person``."""
    found = snapshot.person_with_household(index)
    if found is None:
        return None
    person, view = found
    return person, ((view, view.members) if view is not None else None)


def address_history(person: Any) -> list[Residence]:
    """Every address the person has had, oldest first (for the 초본)."""
    pid = person if isinstance(person, int) else person.pk
    return list(
        Residence.objects.filter(person_id=pid)
        .select_related("jurisdiction")
        .order_by("moved_in_on", "id")
    )


@dataclasses.dataclass(frozen=True)
class CurrentAddress:
    road_address: str
    address_detail: str
    jurisdiction_code: str

    @property
    def full(self) -> str:
        return f"{self.road_address} {self.address_detail}".strip()


def current_address(person_id: int) -> CurrentAddress | None:
    """Where the person lives now (linked registers use it for 사용본거지, 송달 주소)."""
    row = (
        Residence.objects.filter(person_id=person_id, moved_out_on__isnull=True)
        .order_by("-moved_in_on", "-id")
        .values_list("road_address", "address_detail", "jurisdiction_id")
        .first()
    )
    return CurrentAddress(*row) if row else None


def masked_rrn(person: Person | SealedPerson) -> str:
    """``900101-1******``: what staff and documents show by default."""
    return rrn.mask(rrn.decrypt(bytes(person.rrn_ciphertext), person.rrn_index))


def reveal_rrn(
    actor: Actor, person: Person, *, purpose: str, channel: str = Channel.COUNTER
) -> str:
    """The full number, for a role that may see it and a stated purpose; logged."""
    purpose = _need_purpose(purpose)
    policies.require_reveal_rrn(actor, person)
    log_access(
        actor=actor,
        channel=channel,
        subject_type="person",
        subject_id=str(person.pk),
        what="reveal_rrn",
        purpose=purpose,
        jurisdiction=person.jurisdiction_id,
    )
    return rrn.decrypt(bytes(person.rrn_ciphertext), person.rrn_index)


def person_by_index(index: str) -> Person | None:
    """The person with an RRN blind index (a citizen's own record: ``identity_index``),
    with its ``jurisdiction`` loaded."""
    if not index:
        return None
    return Person.objects.select_related("jurisdiction").filter(rrn_index=index).first()


def pending_for_head(person: Person) -> list[PendingMoveIn]:
    """Online move-ins into the person's household waiting for their confirmation."""
    return list(
        PendingMoveIn.objects.filter(
            household__head=person, state=PendingMoveIn.State.PENDING
        ).order_by("requested_at")
    )


def persons_by_ids(ids: Iterable[int]) -> dict[int, Person]:
    return {p.pk: p for p in Person.objects.filter(pk__in=list(ids))}

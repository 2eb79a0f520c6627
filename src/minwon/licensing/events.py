"""인허가's reaction to a move-in. A permit's address is the business's, which a move does
not change by itself; where the business is run at the holder's residence, the holder must
report the 소재지 change, so the permit gets a notice (never a silent rewrite) and the
citizen's move-in summary mentions it."""

from __future__ import annotations

import dataclasses

from minwon.kernel.bus import Context
from minwon.kernel.registry import register_event, subscriber
from minwon.kernel.types import Event
from minwon.registry.events import MoveInReported, PersonStatusChanged, record_change

from .models import Permit, PermitNotice, PermitStatus


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PermitGranted(Event):
    """영업신고 수리 / 허가: a permit entered the register."""

    permit_id: int
    number: str
    jurisdiction: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class SanctionImposed(Event):
    """행정처분: a sanction was imposed; ``permit_status`` is the permit's status after it."""

    permit_id: int
    kind: str
    permit_status: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PermitsImported(Event):
    """A batch of permits entered through the bulk path."""

    permit_ids: list[int]


@subscriber(MoveInReported)
def notify_permit_holders(event: MoveInReported, *, ctx: Context) -> None:
    permits = Permit.objects.filter(
        holder_id__in=event.person_ids,
        at_residence=True,
        status__in=[PermitStatus.ACTIVE, PermitStatus.SUSPENDED],
    )
    for permit in permits:
        PermitNotice.objects.create(
            permit=permit,
            subject="영업소 소재지 변경 신고 안내",
            body=(
                f"대표자 주소가 {event.full_address}(으)로 바뀌었습니다. 영업소가 주소지와 같다면 "
                f"{permit.get_kind_display()}의 소재지 변경 신고를 해 주세요."
            ),
            created_at=ctx.recorded_at,
            command_id=ctx.command.command_id,
        )
        record_change(
            ctx,
            register="licensing",
            label=f"{permit.business_name} ({permit.get_kind_display()})",
            value="소재지 변경 신고가 필요합니다 (자동 변경되지 않음)",
        )


#: What the holder's successor or the office must do when the holder leaves the register.
_STATUS_NOTICES = {
    "deceased": (
        "영업자 사망에 따른 지위 승계 신고 안내",
        "대표자가 사망하였습니다. 상속인이 영업을 계속하려면 {kind}의 영업자 지위 승계를 신고해야 합니다.",
        "상속인의 지위 승계 신고가 필요합니다",
    ),
    "emigrated": (
        "대표자 국외이주에 따른 확인 안내",
        "대표자가 국외로 이주하였습니다. {kind}의 영업 계속 여부(양도·폐업)를 확인해 주세요.",
        "영업 계속 여부 확인이 필요합니다",
    ),
}


@subscriber(PersonStatusChanged)
def notify_on_holder_status(event: PersonStatusChanged, *, ctx: Context) -> None:
    """A permit is not ended by its holder's death or emigration (a successor may take it
    over): the permit gets a notice for the office and the counter's summary lists it."""
    texts = _STATUS_NOTICES.get(event.status)
    if texts is None:
        return
    subject, body, summary = texts
    permits = Permit.objects.filter(
        holder_id=event.person_id, status__in=[PermitStatus.ACTIVE, PermitStatus.SUSPENDED]
    )
    for permit in permits:
        PermitNotice.objects.create(
            permit=permit,
            subject=subject,
            body=body.format(kind=permit.get_kind_display()),
            created_at=ctx.recorded_at,
            command_id=ctx.command.command_id,
        )
        record_change(
            ctx,
            register="licensing",
            label=f"{permit.business_name} ({permit.get_kind_display()})",
            value=summary,
        )

"""The citizen's messages as subscribers to the other apps' events (not calls from their
handlers): a move-in's one summary, the household head's confirmation request, a refused
move-in, and every petition notice. They run inside the emitting command's transaction, so
the message exists exactly when the fact does; the e-mail leaves through the outbox.

``MoveInReported``'s summary lists what the linked registers changed: it must run after
their subscribers, which it does because ``notices`` comes after ``vehicles``, ``land``,
``licensing`` and ``tax`` in INSTALLED_APPS (subscribers run in registration order).
"""

from __future__ import annotations

from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.registry import subscriber
from minwon.notices import catalog, lifecycle
from minwon.notices.catalog import NoticeKind
from minwon.notices.commands import notify
from minwon.petitions.commands.common import ApplicantNotified, PetitionDecided
from minwon.registry.events import (
    MoveInAwaitingHead,
    MoveInRefused,
    MoveInReported,
    changes_of,
)


@subscriber(MoveInReported)
def tell_movers(event: MoveInReported, *, ctx: Context) -> None:
    """전입신고 처리 안내: one message listing everything the move-in changed."""
    from minwon.registry.models import Person

    names = dict(Person.objects.filter(pk__in=event.person_ids).values_list("pk", "name"))
    first = Person.objects.filter(pk=event.person_ids[0]).values_list("rrn_index", flat=True)
    items = [
        {"label": "새 주소", "value": event.full_address},
        {"label": "전입일", "value": event.moved_in_on.isoformat()},
        {"label": "세대", "value": f"세대 {event.household_id} ({', '.join(names[p] for p in event.person_ids)})"},
        *({"label": c["label"], "value": c["value"]} for c in changes_of(ctx)),
    ]  # fmt: skip
    if event.late_days:
        items.append(
            {"label": "신고 기한 초과", "value": f"{event.late_days}일 (과태료 부과 대상)"}
        )
    notify(
        ctx,
        recipient_index=first[0],
        category="registry",
        subject="전입신고가 처리되었습니다",
        body=(
            f"{event.full_address}(으)로의 전입신고가 {event.moved_in_on.isoformat()}자로 "
            f"처리되었습니다. 함께 바뀐 내용은 다음과 같습니다."
        ),
        items=items,
    )


@subscriber(MoveInAwaitingHead)
def ask_head(event: MoveInAwaitingHead, *, ctx: Context) -> None:
    """세대원 전입 확인 요청 to the head of the receiving household."""
    from minwon.registry.models import Household, PendingMoveIn

    household = Household.objects.select_related("head").get(pk=event.household_id)
    pending = PendingMoveIn.objects.get(pk=event.pending_id)
    assert household.head is not None
    notify(
        ctx,
        recipient_index=household.head.rrn_index,
        category="registry",
        subject="세대원 전입 확인 요청",
        body="귀하의 세대로 전입하겠다는 신고가 접수되었습니다. 확인하셔야 전입이 처리됩니다.",
        items=[
            {"label": "주소", "value": household.full_address},
            {"label": "전입일", "value": pending.moved_in_on.isoformat()},
        ],
    )


@subscriber(MoveInRefused)
def tell_reporter_refused(event: MoveInRefused, *, ctx: Context) -> None:
    from minwon.registry.models import PendingMoveIn

    pending = PendingMoveIn.objects.get(pk=event.pending_id)
    notify(
        ctx,
        recipient_index=pending.reporter_index,
        category="registry",
        subject="전입신고가 세대주 확인을 받지 못했습니다",
        body="세대주가 전입을 확인하지 않아 신고가 처리되지 않았습니다.",
    )


@subscriber(ApplicantNotified)
def tell_applicant(event: ApplicantNotified, *, ctx: Context) -> None:
    """민원 접수·진행·결과 통지 (민원처리법 제27조) to the applicant's inbox and e-mail."""
    notify(
        ctx,
        recipient_index=event.identity_index,
        category="petition",
        subject=event.subject,
        body=event.body,
        email=event.email,
        items=event.items,
    )


@subscriber(PetitionDecided)
def notify_result(event: PetitionDecided, *, ctx: Context) -> None:
    """민원 결과 통지 (민원처리법 제27조) as a formal notice from its versioned template: the
    inbox message, e-mail, lifecycle and receipt of every notice, and the 이의신청기한
    (90 days, 법 제35조) it starts."""
    office = jurisdictions.get(event.jurisdiction)
    items = [
        {"label": "접수번호", "value": event.receipt_number},
        {"label": "민원", "value": f"{event.type_name} ({event.number})"},
        {"label": "처리 부서", "value": event.department},
        {"label": "처리 결과", "value": event.outcome},
    ]
    if event.reasons:
        items.append({"label": "사유", "value": event.reasons})
    if event.remedies:
        items.append({"label": "불복 절차", "value": event.remedies})
    draft = lifecycle.Draft(
        source_key=f"petition_result:{event.petition_id}:{ctx.command.command_id}",
        recipient_index=event.identity_index, recipient_name=event.applicant_name,
        address=event.address, email=event.email, items=items,
        fields={"petition": event.type_name, "outcome": event.outcome},
    )  # fmt: skip
    lifecycle.issue_many(
        ctx, template=catalog.latest(NoticeKind.PETITION_RESULT), jurisdiction=office.code,
        office=office.name, drafts=[draft],
    )  # fmt: skip

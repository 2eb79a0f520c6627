"""지방세's reaction to a move-in: the open bills of the movers are mailed to the new
address (in the move-in's transaction); paid bills keep the address they were sent to."""

from __future__ import annotations

from minwon.kernel.bus import Context
from minwon.kernel.registry import subscriber
from minwon.registry.events import MoveInReported, record_change

from .models import MailingAddressChange, TaxBill


@subscriber(MoveInReported)
def move_mailing_address(event: MoveInReported, *, ctx: Context) -> None:
    bills = list(
        TaxBill.objects.select_for_update().filter(
            taxpayer_id__in=event.person_ids, paid_on__isnull=True
        )
    )
    if not bills:
        return
    MailingAddressChange.objects.bulk_create(
        [
            MailingAddressChange(
                bill=bill,
                old_address=bill.mailing_address,
                new_address=event.full_address,
                changed_on=event.moved_in_on,
                command_id=ctx.command.command_id,
            )
            for bill in bills
        ]
    )
    TaxBill.objects.filter(pk__in=[b.pk for b in bills]).update(mailing_address=event.full_address)
    for bill in bills:
        record_change(
            ctx,
            register="tax",
            label=f"지방세 {bill.get_item_display()} {bill.period} 송달 주소",
            value=event.full_address,
        )

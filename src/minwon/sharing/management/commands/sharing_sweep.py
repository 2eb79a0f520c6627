"""``minwon sharing_sweep``: tell subjects about reads of their data — deferred sharing reads
whose deferral ended, and staff reads from the access log — forget day-old nonces, and move
message-log entries past their retention into signed archive files. Run it from cron or a systemd
timer (every few minutes); each run is its own commands, so a rerun repeats nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minwon.kernel import execute
from minwon.kernel.types import NATION, Actor, Channel
from minwon.sharing.commands import (
    ArchiveSharingMessages,
    DiscloseDeferredReads,
    ForgetOldNonces,
    NotifyStaffReads,
)


class Command(BaseCommand):
    help = "Notify subjects of reads of their data (deferred sharing reads, staff reads)."

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("sharing-sweep")
        disclosed = execute(
            DiscloseDeferredReads(actor=actor, channel=Channel.SYSTEM, jurisdiction=NATION)
        ).value["disclosed"]
        notified = reads = 0
        while True:
            value = execute(
                NotifyStaffReads(actor=actor, channel=Channel.SYSTEM, jurisdiction=NATION)
            ).value
            notified, reads = notified + value["notified"], reads + value["reads"]
            if value["reads"] == 0:
                break
        forgotten = execute(
            ForgetOldNonces(actor=actor, channel=Channel.SYSTEM, jurisdiction=NATION)
        ).value["forgotten"]
        archived = 0
        while True:
            value = execute(
                ArchiveSharingMessages(actor=actor, channel=Channel.SYSTEM, jurisdiction=NATION)
            ).value
            archived += value["archived"]
            if value["archived"] == 0:
                break
        self.stdout.write(
            f"disclosed {disclosed}, notified {notified} subjects of {reads} reads, "
            f"forgot {forgotten} nonces, archived {archived} messages"
        )

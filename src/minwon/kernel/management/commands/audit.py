"""``minwon audit verify``: check every audit chain, compare it with the newest signed
checkpoint and cross-check the command records; exit 1 naming the first bad row of each
broken chain. ``minwon audit checkpoint``: sign every chain's head into the anchor directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minwon.kernel import anchors, audit

SEOUL = ZoneInfo("Asia/Seoul")


class Command(BaseCommand):
    help = (
        "Audit log tools. `audit verify` checks the hash chains against the newest checkpoint "
        "and the command records; `audit checkpoint` writes a signed checkpoint of every head."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument(
            "--anchor-dir", type=Path, default=None,
            help="checkpoint directory (default: MINWON_AUDIT_ANCHOR_DIR)",
        )  # fmt: skip
        parser.add_argument(
            "--checkpoint", type=Path, default=None,
            help="verify against this checkpoint file instead of the newest (after a "
            "point-in-time restore: the last checkpoint before the restore target)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            self.checkpoint(options["anchor_dir"])
        else:
            self.verify(options["anchor_dir"], options["checkpoint"])

    def checkpoint(self, directory: Path | None) -> None:
        try:
            written = audit.checkpoint(directory=directory)
        except audit.ChainBroken as exc:
            for problem in exc.problems:
                self.stderr.write(f"TAMPERED {problem}")
            raise CommandError(f"audit checkpoint: {exc}") from None
        self.stdout.write(f"audit checkpoint: {written.path} ({len(written.heads)} chains)")

    def verify(self, directory: Path | None, checkpoint: Path | None) -> None:
        report = audit.check(anchor_dir=directory, checkpoint=checkpoint)
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"TAMPERED {problem}")
            raise CommandError(f"audit verify: {len(report.problems)} problem(s)")
        cp = report.checkpoint
        if cp is None:
            where = directory or anchors.anchor_dir()
            self.stderr.write(
                f"WARNING no checkpoint in {where}: a chain cut short or removed together "
                "with its command records cannot be told from one that never grew"
            )
            against = "no checkpoint"
        else:
            against = f"checkpoint {cp.name} of {cp.at.astimezone(SEOUL):%Y-%m-%d %H:%M:%S} KST"
        self.stdout.write(
            f"audit verify: OK ({report.rows} rows, {report.commands} commands; {against})"
        )

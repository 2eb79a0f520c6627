"""``minwon audit verify``: check every audit chain; exit 1 naming the first bad row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minwon.kernel import audit
from minwon.kernel.models import AuditRecord


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` checks the hash chains."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(audit.verify())
        if problems:
            for problem in problems:
                self.stderr.write(f"TAMPERED {problem}")
            raise CommandError(f"audit verify: {len(problems)} chain(s) broken")
        count = AuditRecord.objects.count()
        self.stdout.write(f"audit verify: OK ({count} rows)")

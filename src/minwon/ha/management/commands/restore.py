"""``minwon restore --to <timestamp>``: point-in-time recovery onto a fresh data directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minwon.ha import backup
from minwon.ha.cluster import ClusterError, open_cluster


class Command(BaseCommand):
    help = (
        "Restore the HA cluster's backups as of --to (ISO 8601; Korean time when no offset) "
        "into --target-dir and start it on --port, beside the running cluster."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, help="e.g. 2026-11-20T11:59:00+09:00")
        parser.add_argument("--target-dir", type=Path, required=True)
        parser.add_argument("--port", type=int, default=15499)
        parser.add_argument("--dir", type=Path, default=None, help="cluster directory")
        parser.add_argument("--no-start", action="store_true", help="restore files only")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            target = backup.parse_target(options["to"])
            cluster = open_cluster(options["dir"])
            backup.restore(
                cluster,
                target=target,
                target_dir=options["target_dir"].resolve(),
                port=options["port"],
                start=not options["no_start"],
            )
        except ClusterError as exc:
            raise CommandError(str(exc)) from exc
        if options["no_start"]:
            self.stdout.write(f"restored as of {target.isoformat()} into {options['target_dir']}")
        else:
            self.stdout.write(
                f"restored as of {target.isoformat()}; running at "
                f"postgresql://postgres@127.0.0.1:{options['port']}/{cluster.spec.database}"
            )

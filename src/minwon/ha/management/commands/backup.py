"""``minwon backup``: a pgBackRest backup of the cluster into the other-site repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minwon.ha import backup
from minwon.ha.cluster import ClusterError, open_cluster


class Command(BaseCommand):
    help = "Back up the HA cluster with pgBackRest (full/diff/incr), or flush WAL to the archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="cluster directory")
        parser.add_argument("--type", choices=backup.BACKUP_TYPES, default="full")
        parser.add_argument(
            "--wal-only",
            action="store_true",
            help="only close the current WAL segment and wait until it is archived",
        )
        parser.add_argument("--info", action="store_true", help="list the backups and WAL kept")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cluster = open_cluster(options["dir"])
            if options["info"]:
                self.stdout.write(backup.info(cluster))
            elif options["wal_only"]:
                backup.flush_wal(cluster)
                self.stdout.write("WAL archived")
            else:
                self.stdout.write(backup.backup(cluster, options["type"]))
        except ClusterError as exc:
            raise CommandError(str(exc)) from exc

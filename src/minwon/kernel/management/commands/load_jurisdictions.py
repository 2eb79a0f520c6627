"""``minwon load_jurisdictions [FILE]``: load or update 행정구역 from a code-list CSV."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minwon.kernel import execute, jurisdictions
from minwon.kernel.commands import ImportJurisdictions
from minwon.kernel.types import NATION, Actor, Channel, digest


class Command(BaseCommand):
    help = "Load administrative divisions (default: the list shipped in minwon/data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(jurisdictions.DATA_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        result = load(Path(options["file"]))
        self.stdout.write(f"jurisdictions: {result}")


def load(path: Path = jurisdictions.DATA_FILE) -> dict[str, Any]:
    rows = jurisdictions.read_csv(path)
    # The same file loads once: its digest is the idempotency key.
    command_id = uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:jurisdictions:{digest(rows)}")
    result = execute(
        ImportJurisdictions(
            actor=Actor.system("load_jurisdictions"),
            channel=Channel.SYSTEM,
            jurisdiction=NATION,
            command_id=command_id,
            rows=rows,
        )
    )
    value: dict[str, Any] = result.value
    return value

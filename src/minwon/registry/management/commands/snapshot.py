"""``minwon snapshot rebuild``: build the household snapshots again from the register."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from minwon.registry import snapshot
from minwon.registry.models import Household


class Command(BaseCommand):
    help = "Household snapshot tools. `snapshot rebuild` rebuilds every household's row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(
            total=Household.objects.count(), unit="세대", desc="세대 현황",
            disable=options["quiet"],
        )  # fmt: skip
        written = snapshot.rebuild(batch=options["batch"], progress=bar.update)
        bar.close()
        self.stdout.write(f"snapshot rebuild: {written} households")

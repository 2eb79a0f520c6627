"""``minwon search rebuild``: build the search read model again from the registers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from minwon.portal import index


class Command(BaseCommand):
    help = "Integrated search tools. `search rebuild` rebuilds the search documents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        total = sum(index.counts().values())
        bar = tqdm(total=total, unit="건", desc="검색 색인", disable=options["quiet"])

        def progress(kind: index.Kind, n: int) -> None:
            bar.set_postfix_str(kind.label)
            bar.update(n)

        written = index.rebuild(batch=options["batch"], progress=progress)
        bar.close()
        self.stdout.write(f"search rebuild: {written} documents")

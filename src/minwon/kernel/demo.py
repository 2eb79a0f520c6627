"""Shared machinery for ``minwon demo``: deterministic command ids (so a second run replays
instead of repeating), the demo cities, and the list of log-ins to print.

Each app contributes ``demo.py`` with ``seed(ctx: DemoContext)``; they run in the order of
INSTALLED_APPS, every change through ``execute``.
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import Callable
from typing import Any

from minwon.kernel import execute
from minwon.kernel.bus import Result
from minwon.kernel.models import CommandRecord
from minwon.kernel.types import Command

# The three demo cities (DESIGN §1, the seeds): 원주시, 전주시 (완산구, 덕진구), 공주시.
DEMO_CITIES: dict[str, str] = {
    "wonju": "5113000000",
    "jeonju": "5211000000",
    "gongju": "4415000000",
}
DEMO_CITY_NAMES = {"wonju": "원주시", "jeonju": "전주시", "gongju": "공주시"}
STAFF_PASSWORD = "minwon-demo-2026"  # noqa: S105 - demo data, printed on purpose
CITIZEN_PASSWORD = "citizen-demo-2026"  # noqa: S105 - demo data


@dataclasses.dataclass
class DemoContext:
    residents: int = 1000
    seed: int = 20261121
    out: Any = None
    logins: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    shared: dict[str, Any] = dataclasses.field(default_factory=dict)
    quiet: bool = False

    def command_id(self, key: str) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:demo:{self.seed}:{key}")

    def run(self, key: str, build: Callable[[uuid.UUID], Command]) -> Result | None:
        """Execute ``build(command_id)`` unless that id already ran (then return None)."""
        command_id = self.command_id(key)
        if CommandRecord.objects.filter(pk=command_id).exists():
            return None
        return execute(build(command_id))

    def result(self, key: str) -> Any:
        """The stored result of an earlier demo command (for ids created by a former run)."""
        record = CommandRecord.objects.filter(pk=self.command_id(key)).first()
        return None if record is None else record.result

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def say(self, text: str) -> None:
        if self.out is not None and not self.quiet:
            self.out.write(text + "\n")

    def login(self, who: str, username: str, password: str) -> None:
        self.logins.append((who, username, password))


def seed_all(ctx: DemoContext) -> None:
    """Run every minwon app's ``demo.seed(ctx)`` in INSTALLED_APPS order."""
    import importlib
    import importlib.util

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("minwon."):
            continue
        name = f"{config.name}.demo"
        if importlib.util.find_spec(name) is None:
            continue
        seed = getattr(importlib.import_module(name), "seed", None)
        if seed is not None:
            seed(ctx)

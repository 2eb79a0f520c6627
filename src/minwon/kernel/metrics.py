"""Counters the kernel keeps about itself, in the Prometheus client's registry.

``/metrics`` exposes them; the situation room reads its own rollups (``minwon.ops``).
When ``PROMETHEUS_MULTIPROC_DIR`` is set, several app processes add up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import Counter, Histogram

if TYPE_CHECKING:
    from minwon.kernel.types import Command

COMMANDS = Counter(
    "minwon_commands_total",
    "Commands executed, by type, channel, jurisdiction (시·군·구) and outcome",
    ["command", "channel", "jurisdiction", "outcome"],
)
COMMAND_SECONDS = Histogram(
    "minwon_command_seconds",
    "Time to execute a command, including its transaction",
    ["command"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)

_listeners: list = []


def on_command(fn) -> None:  # type: ignore[no-untyped-def]
    """Let another app (the ops rollups) hear about every finished command."""
    _listeners.append(fn)


def command_done(command: Command, outcome: str, seconds: float) -> None:
    name = command.command_name()
    jurisdiction = command.jurisdiction[:5] + "00000" if command.jurisdiction else ""
    COMMANDS.labels(name, command.channel.value, jurisdiction, outcome).inc()
    COMMAND_SECONDS.labels(name).observe(seconds)
    for fn in _listeners:
        fn(command, outcome, seconds)

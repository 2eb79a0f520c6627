"""The command kernel (DESIGN §3): commands and ``execute()``, the outbox, the audit chain,
personal-data protection, the business calendar and jurisdictions.

``from minwon.kernel import execute`` is the one door through which state changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minwon.kernel.bus import Result
    from minwon.kernel.types import Command, Origin


def execute(command: Command, *, origin: Origin | None = None) -> Result:
    """Run a command exactly once through the pipeline (see ``minwon.kernel.bus``)."""
    from minwon.kernel.bus import execute as _execute

    return _execute(command, origin=origin)

"""The edge node's stage of the execution pipeline (``kernel.bus``), installed by
``minwon edge``.

Whatever executes a command on an edge — the counter gateway, a staff page, the API — the
command type's declared continuity behaviour decides, here and only here, whether the edge
may run it: ``local`` and ``edge_only`` types run; a ``forward`` type runs on the edge only
in continuity mode (in normal mode central runs it, see ``gateway.forward``); a ``refuse``
type is central's and is refused with the alternative channel (대체 창구 안내), in either
mode, because it could not be replayed. The system channel (loading divisions, the feed)
is the node's own bookkeeping.
"""

from __future__ import annotations

from collections.abc import Callable

from minwon.kernel.bus import Execution, Result
from minwon.kernel.types import Channel, Continuity

from . import agent, gateway


def at_edge(ex: Execution, proceed: Callable[[], Result]) -> Result:
    edge = agent.current
    command = ex.command
    if edge is None or command.channel == Channel.SYSTEM:
        return proceed()
    behaviour = command.continuity
    if behaviour in (Continuity.LOCAL, Continuity.EDGE_ONLY):
        return proceed()
    if behaviour == Continuity.FORWARD and edge.mode != agent.NORMAL:
        return proceed()
    raise gateway.refused(edge)

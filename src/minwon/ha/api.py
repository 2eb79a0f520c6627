"""HA API: the write probe, and the 503 answer while the database fails over.

``POST /api/ha/probe-writes`` runs :class:`~minwon.ha.commands.RecordProbeWrite` with the
caller's ``Idempotency-Key``. While no primary takes writes, the kernel retries the command
(see :mod:`minwon.ha.retry`); past the budget, and for any other request whose database
connection is lost, the answer is 503 with ``Retry-After`` instead of a 500.
"""

from __future__ import annotations

from typing import Any

from django.db import utils as db_utils
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from minwon.accounts.actors import actor_for_request
from minwon.ha.commands import RecordProbeWrite
from minwon.ha.retry import DatabaseUnavailable, is_connection_lost, retry_seconds
from minwon.kernel import execute
from minwon.kernel.types import NATION, Channel
from minwon.web.api import ErrorOut, api, command_id

router = Router(tags=["ha"])


class ProbeIn(Schema):
    client: str = Field(..., min_length=1, max_length=64, description="load client name")
    seq: int = Field(..., ge=0, le=2_000_000_000, description="the client's sequence number")


class ProbeOut(Schema):
    command_id: str
    probe_id: int
    replayed: bool
    recorded_at: str


@router.post(
    "/ha/probe-writes",
    response={
        200: ProbeOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        503: ErrorOut,
    },
    operation_id="HaProbeWrite",
    summary="쓰기 점검 (write probe: the cluster accepts writes)",
)
def probe_write(request: HttpRequest, payload: ProbeIn) -> dict[str, Any]:
    actor = actor_for_request(request)
    office = getattr(request.user, "office_id", None) or NATION
    result = execute(
        RecordProbeWrite(
            actor=actor,
            channel=Channel.ONLINE,
            jurisdiction=office,
            command_id=command_id(request),
            client=payload.client,
            seq=payload.seq,
        )
    )
    return {
        "command_id": str(result.command_id),
        "probe_id": result.value["probe_id"],
        "replayed": result.replayed,
        "recorded_at": result.recorded_at.isoformat(),
    }


def _unavailable(request: HttpRequest, retry_after: int) -> HttpResponse:
    exc = DatabaseUnavailable(retry_after)
    response = api.create_response(request, exc.as_dict(), status=503)
    response["Retry-After"] = str(retry_after)
    return response


def database_unavailable(request: HttpRequest, exc: DatabaseUnavailable) -> HttpResponse:
    return _unavailable(request, exc.retry_after)


def database_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A lost connection outside a command (authentication, a read) is a 503 too; any other
    database error is a bug and stays a 500."""
    if not is_connection_lost(exc):
        raise exc
    return _unavailable(request, max(1, round(retry_seconds() / 6)))


api.add_exception_handler(DatabaseUnavailable, database_unavailable)  # type: ignore[arg-type]
for _error in (db_utils.OperationalError, db_utils.InterfaceError, db_utils.InternalError):
    api.add_exception_handler(_error, database_error)  # type: ignore[arg-type]

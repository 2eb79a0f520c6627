"""Permits: a suspension changes the status and keeps its legal basis; no silent address
change on a move-in is covered in tests/registry/test_movein.py."""

from __future__ import annotations

from datetime import date

import pytest

from minwon.kernel import execute
from minwon.kernel.errors import Conflict, ValidationFailed
from minwon.kernel.types import Channel
from minwon.licensing.commands import ImposeSanction
from minwon.licensing.models import Permit
from minwon.licensing.queries import sanctions_of
from tests.registry.factories import SYSTEM, WONJU, permit, register

pytestmark = pytest.mark.django_db


def _sanction(pid: int, kind: str, ends: date | None = None) -> None:
    execute(ImposeSanction(actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=WONJU, permit_id=pid,
                           kind=kind, starts_on=date(2026, 3, 1), ends_on=ends,
                           legal_basis="식품위생법 제75조", reason="위반"))  # fmt: skip


def test_sanctions_change_status_and_revoked_permit_takes_no_more(
    jurisdictions_loaded: None,
) -> None:
    pid = permit(register())
    _sanction(pid, "suspension", date(2026, 3, 15))
    assert Permit.objects.get(pk=pid).status == "suspended"
    with pytest.raises(ValidationFailed) as exc:
        _sanction(pid, "suspension", date(2026, 2, 1))
    assert exc.value.field == "ends_on"
    _sanction(pid, "revocation")
    assert Permit.objects.get(pk=pid).status == "revoked"
    assert [s.legal_basis for s in sanctions_of(Permit.objects.get(pk=pid))] == [
        "식품위생법 제75조"
    ] * 2
    with pytest.raises(Conflict):
        _sanction(pid, "suspension")

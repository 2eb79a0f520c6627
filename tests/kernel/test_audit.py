"""The audit chain detects an edited, a removed and a reordered row; the CLI says which."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minwon.kernel import audit, execute
from minwon.kernel.models import AuditRecord
from minwon.kernel.types import NATION, Actor, Channel
from tests.kernel import sample

SYSTEM = Actor.system("test")


@pytest.fixture
def chain(db, monkeypatch):  # type: ignore[no-untyped-def]
    # One stripe, so the five rows form one chain the tests can tamper with in order.
    monkeypatch.setattr(audit, "STRIPES", 1)
    for day in range(1, 6):
        execute(
            sample.NoteSample(
                actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION,
                day=f"2026-12-{day:02d}", label=f"n{day}",
            )
        )  # fmt: skip
    return list(AuditRecord.objects.order_by("seq"))


def test_intact_chain_verifies(chain) -> None:  # type: ignore[no-untyped-def]
    assert list(audit.verify()) == []
    call_command("audit", "verify")


def test_edited_row_is_found(chain) -> None:  # type: ignore[no-untyped-def]
    AuditRecord.objects.filter(pk=chain[2].pk).update(actor="staff:999")
    problems = list(audit.verify())
    assert len(problems) == 1
    assert problems[0].row_id == chain[2].pk
    assert "edited" in problems[0].reason
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_removed_row_is_found(chain) -> None:  # type: ignore[no-untyped-def]
    AuditRecord.objects.filter(pk=chain[1].pk).delete()
    problems = list(audit.verify())
    assert problems and problems[0].row_id == chain[2].pk


def test_removed_last_row_is_found(chain) -> None:  # type: ignore[no-untyped-def]
    AuditRecord.objects.filter(pk=chain[-1].pk).delete()
    problems = list(audit.verify())
    assert problems and "end of the chain" in problems[0].reason


def test_reordered_rows_are_found(chain) -> None:  # type: ignore[no-untyped-def]
    a, b = chain[1], chain[3]
    AuditRecord.objects.filter(pk=a.pk).update(seq=-1)
    AuditRecord.objects.filter(pk=b.pk).update(seq=a.seq)
    AuditRecord.objects.filter(pk=a.pk).update(seq=b.seq)
    problems = list(audit.verify())
    assert problems and problems[0].seq == a.seq


def test_cli_exits_non_zero_and_names_the_row(chain, capsys) -> None:  # type: ignore[no-untyped-def]
    AuditRecord.objects.filter(pk=chain[0].pk).update(name="Forged")
    # The in-process command raises CommandError, which the `minwon` CLI turns into exit 1.
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    err = capsys.readouterr().err
    assert f"row id={chain[0].pk}" in err


@pytest.mark.django_db
def test_commands_spread_over_stripes_and_all_verify() -> None:
    for day in range(1, 25):
        execute(
            sample.NoteSample(
                actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction="5113000000",
                day=f"2027-01-{day:02d}", label="s",
            )
        )  # fmt: skip
    chains = set(AuditRecord.objects.values_list("chain", flat=True))
    assert len(chains) > 1
    assert all(c.startswith("51130-") for c in chains)
    assert list(audit.verify()) == []
    victim = AuditRecord.objects.order_by("id")[10]
    AuditRecord.objects.filter(pk=victim.pk).update(name="Forged")
    assert [p.row_id for p in audit.verify()] == [victim.pk]

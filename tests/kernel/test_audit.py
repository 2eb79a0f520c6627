"""The audit chain detects an edited, a removed and a reordered row; the CLI says which.

Then the rewrites an administrator of the database could do without the key (finding 4 of
issue 14): delete the last row and rewind the head, delete a whole chain with its head, edit
a row and recompute the rest with the unkeyed hash — each found, by the keyed hash, the
signed checkpoints outside the database or the cross-check with the command records.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minwon.kernel import anchors, audit, execute
from minwon.kernel.models import AuditHead, AuditRecord, CommandRecord
from minwon.kernel.types import NATION, Actor, Channel, canonical
from tests.kernel import sample

SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def anchor_dir(tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    settings.MINWON_AUDIT_ANCHOR_DIR = str(tmp_path / "anchors")
    return tmp_path / "anchors"


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


# --- rewrites by someone who can write the tables but holds no key ----------------------


def _unkeyed(row: AuditRecord, prev: str) -> str:
    """The row hash as it was before it was keyed: what anyone can recompute."""
    body = {
        "chain": row.chain, "seq": row.seq, "command_id": str(row.command_id), "name": row.name,
        "actor": row.actor, "channel": row.channel, "jurisdiction": row.jurisdiction,
        "occurred_at": audit._ts(row.occurred_at), "recorded_at": audit._ts(row.recorded_at),
        "payload_digest": row.payload_digest, "result_digest": row.result_digest,
    }  # fmt: skip
    return hashlib.sha256(prev.encode() + canonical(body)).hexdigest()


def _rewind(chain_name: str, to: AuditRecord) -> None:
    AuditHead.objects.filter(chain=chain_name).update(seq=to.seq, hash=to.hash)


def test_row_hash_is_keyed(chain) -> None:  # type: ignore[no-untyped-def]
    first = chain[0]
    assert first.hash != _unkeyed(first, audit.GENESIS)


def test_last_row_deleted_and_head_rewound_is_found_by_the_checkpoint(chain) -> None:  # type: ignore[no-untyped-def]
    call_command("audit", "checkpoint")
    last = chain[-1]
    AuditRecord.objects.filter(pk=last.pk).delete()
    CommandRecord.objects.filter(pk=last.command_id).delete()
    _rewind(last.chain, chain[-2])
    problems = list(audit.verify())
    assert [p.reason.split(":")[0] for p in problems] == ["rows removed from the end"]
    assert "recorded seq 5, the chain ends at 4" in problems[0].reason


def test_last_row_deleted_and_head_rewound_after_the_checkpoint_is_found_by_the_records(
    chain,
) -> None:  # type: ignore[no-untyped-def]
    last = chain[-1]
    AuditRecord.objects.filter(pk=last.pk).delete()
    _rewind(last.chain, chain[-2])
    problems = list(audit.verify())
    assert len(problems) == 1
    assert f"command {last.command_id}" in problems[0].reason
    assert "has no audit row" in problems[0].reason


def test_whole_chain_deleted_with_its_head_is_found_by_the_checkpoint(chain) -> None:  # type: ignore[no-untyped-def]
    call_command("audit", "checkpoint")
    name = chain[0].chain
    AuditRecord.objects.filter(chain=name).delete()
    AuditHead.objects.filter(chain=name).delete()
    CommandRecord.objects.filter(pk__in=[r.command_id for r in chain]).delete()
    problems = list(audit.verify())
    assert len(problems) == 1
    assert problems[0].chain == name
    assert problems[0].reason.startswith("chain removed: checkpoint checkpoint-0000000001-")


def test_whole_chain_deleted_with_its_head_is_found_by_the_records(chain) -> None:  # type: ignore[no-untyped-def]
    name = chain[0].chain
    AuditRecord.objects.filter(chain=name).delete()
    AuditHead.objects.filter(chain=name).delete()
    problems = list(audit.verify())
    assert len(problems) == 5
    assert all("has no audit row" in p.reason for p in problems)


def test_row_edited_and_the_rest_recomputed_with_the_unkeyed_hash_is_found(chain) -> None:  # type: ignore[no-untyped-def]
    victim = chain[1]
    # The forger changes the actor in both tables, so the records agree with the chain.
    AuditRecord.objects.filter(pk=victim.pk).update(actor="staff:999")
    CommandRecord.objects.filter(pk=victim.command_id).update(actor="staff:999")
    prev = chain[0].hash
    for row in AuditRecord.objects.filter(seq__gte=victim.seq).order_by("seq"):
        new = _unkeyed(row, prev)
        AuditRecord.objects.filter(pk=row.pk).update(prev_hash=prev, hash=new)
        prev = new
    AuditHead.objects.filter(chain=victim.chain).update(hash=prev)
    problems = list(audit.verify())
    assert [(p.row_id, p.reason) for p in problems] == [
        (victim.pk, "content does not match its hash (row edited)")
    ]


def test_checkpoint_refuses_to_sign_over_a_cut_chain(chain, anchor_dir) -> None:  # type: ignore[no-untyped-def]
    first = audit.checkpoint()
    last = chain[-1]
    AuditRecord.objects.filter(pk=last.pk).delete()
    _rewind(last.chain, chain[-2])
    with pytest.raises(audit.ChainBroken) as refused:
        audit.checkpoint()
    assert "rewound" in refused.value.problems[0].reason
    assert anchors.files(anchor_dir) == [first.path]


def test_checkpoints_continue_each_other(chain, anchor_dir) -> None:  # type: ignore[no-untyped-def]
    first = audit.checkpoint()
    execute(
        sample.NoteSample(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, day="2026-12-09", label="x"
        )
    )
    second = audit.checkpoint()
    assert second.number == 2 and second.previous == first.digest
    assert second.heads[chain[0].chain][0] == 6
    assert (anchor_dir / anchors.PUBLIC_KEY_FILE).read_text().startswith("-----BEGIN PUBLIC KEY")
    assert list(audit.verify()) == []


def test_a_checkpoint_edited_to_hide_a_cut_is_refused(chain, anchor_dir) -> None:  # type: ignore[no-untyped-def]
    written = audit.checkpoint()
    last = chain[-1]
    AuditRecord.objects.filter(pk=last.pk).delete()
    CommandRecord.objects.filter(pk=last.command_id).delete()
    _rewind(last.chain, chain[-2])
    document = json.loads(written.path.read_text())
    document["heads"][last.chain] = [chain[-2].seq, chain[-2].hash]
    written.path.write_text(json.dumps(document))
    problems = list(audit.verify())
    assert [p.reason for p in problems] == [f"{written.name}: the signature does not verify"]


def test_command_record_edited_or_removed_is_found(chain) -> None:  # type: ignore[no-untyped-def]
    edited, removed = chain[1], chain[3]
    record = CommandRecord.objects.get(pk=edited.command_id)
    record.payload = {**record.payload, "label": "forged"}
    record.save()
    CommandRecord.objects.filter(pk=removed.command_id).delete()
    problems = {p.row_id: p.reason for p in audit.verify()}
    assert problems == {
        edited.pk: f"command record {edited.command_id} differs from its audit row (payload)",
        removed.pk: f"command {removed.command_id} has no command record (removed from the commands)",
    }


def test_cli_checkpoint_then_verify_names_the_checkpoint(chain, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("audit", "verify")
    assert "WARNING no checkpoint" in capsys.readouterr().err
    call_command("audit", "checkpoint")
    call_command("audit", "verify")
    out = capsys.readouterr()
    assert "audit verify: OK (5 rows, 5 commands; checkpoint checkpoint-0000000001-" in out.out
    assert out.err == ""


def test_verify_against_a_named_earlier_checkpoint(chain, anchor_dir) -> None:  # type: ignore[no-untyped-def]
    earlier = audit.checkpoint()
    execute(
        sample.NoteSample(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, day="2026-12-09", label="x"
        )
    )
    audit.checkpoint()
    # A point-in-time restore to between the two: verified against the earlier checkpoint.
    newest = AuditRecord.objects.order_by("-seq").first()
    assert newest is not None
    AuditRecord.objects.filter(pk=newest.pk).delete()
    CommandRecord.objects.filter(pk=newest.command_id).delete()
    _rewind(newest.chain, chain[-1])
    assert len(list(audit.verify())) == 1
    assert list(audit.verify(checkpoint=earlier.path)) == []


def test_worker_writes_checkpoints(chain, anchor_dir, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINWON_AUDIT_CHECKPOINT_SECONDS = 60
    call_command("worker", "--once")
    (written,) = anchors.files(anchor_dir)
    assert anchors.load(written).heads[chain[0].chain] == (5, chain[-1].hash)
    settings.MINWON_AUDIT_CHECKPOINT_SECONDS = 0
    call_command("worker", "--once")
    assert len(anchors.files(anchor_dir)) == 1


def test_rows_of_the_unkeyed_release_are_rehashed_by_the_migration(chain) -> None:  # type: ignore[no-untyped-def]
    import importlib

    from django.apps import apps

    migration = importlib.import_module("minwon.kernel.migrations.0003_audit_keyed_hash")
    migration.backwards(apps, None)
    rows = list(AuditRecord.objects.order_by("seq"))
    assert rows[0].hash == _unkeyed(rows[0], audit.GENESIS)
    assert problems_of(list(audit.verify())) == {"content does not match its hash (row edited)"}
    migration.forwards(apps, None)
    assert list(audit.verify()) == []
    assert [r.hash for r in AuditRecord.objects.order_by("seq")] == [r.hash for r in chain]


def test_the_migration_refuses_a_chain_broken_before_it(chain) -> None:  # type: ignore[no-untyped-def]
    import importlib

    from django.apps import apps

    migration = importlib.import_module("minwon.kernel.migrations.0003_audit_keyed_hash")
    migration.backwards(apps, None)
    AuditRecord.objects.filter(pk=chain[2].pk).update(actor="staff:999")
    with pytest.raises(RuntimeError, match="is broken at seq 3"):
        migration.forwards(apps, None)


def problems_of(problems: list[audit.Problem]) -> set[str]:
    return {p.reason for p in problems}


def test_deploy_check_warns_of_anchors_beside_the_database(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from minwon.kernel.checks import audit_anchors

    settings.MINWON_AUDIT_ANCHOR_DIR = str(Path(settings.VAR_DIR) / "audit-anchors")
    settings.MINWON_AUDIT_CHECKPOINT_SECONDS = 0
    assert [m.id for m in audit_anchors()] == ["minwon.W101", "minwon.W102"]
    settings.MINWON_AUDIT_ANCHOR_DIR = str(tmp_path / "worm")
    settings.MINWON_AUDIT_CHECKPOINT_SECONDS = 300
    assert audit_anchors() == []

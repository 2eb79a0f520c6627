"""The kernel contract, over every command the demo runs (each app adds its own through
``demo.py``): every command is a documented frozen dataclass that survives a JSON round trip;
re-executing it replays the first result with no second effect; every event stored in the
outbox validates against its registered type."""

from __future__ import annotations

import dataclasses

import pytest

from minwon.kernel import execute, registry
from minwon.kernel.demo import DemoContext, seed_all
from minwon.kernel.models import AuditRecord, CommandRecord, OutboxEvent


def test_every_registered_command_is_documented_and_frozen() -> None:
    assert registry.handlers, "no commands registered"
    for command_type, spec in registry.handlers.items():
        assert dataclasses.is_dataclass(command_type), command_type
        assert command_type.__dataclass_params__.frozen, command_type  # type: ignore[attr-defined]
        assert (command_type.__doc__ or "").strip(), f"{command_type.__name__} needs a docstring"
        assert callable(spec.fn)
    for event_type in registry.events_by_name.values():
        assert dataclasses.is_dataclass(event_type)
        assert event_type.__dataclass_params__.frozen  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_demo_commands_replay_without_effect_and_events_match_schemas() -> None:
    seed_all(DemoContext(residents=40, quiet=True))
    records = list(CommandRecord.objects.order_by("recorded_at"))
    assert records
    audit_rows = AuditRecord.objects.count()
    events = OutboxEvent.objects.count()
    for record in records:
        command_type = registry.commands_by_name[record.name]
        command = command_type.from_json(record.payload)
        result = execute(command)
        assert result.replayed, record.name
        assert result.value == record.result, record.name
    assert AuditRecord.objects.count() == audit_rows
    assert OutboxEvent.objects.count() == events
    for row in OutboxEvent.objects.all():
        event_type = registry.events_by_name.get(row.name)
        assert event_type is not None, f"event {row.name} is not registered"
        assert event_type.from_json(row.payload).to_json() == row.payload, row.name

"""Where handlers, in-transaction subscribers and outbox receivers are registered.

Each app declares them in its ``commands.py`` and ``events.py`` with the decorators below,
and its permissions in ``permissions.py``; ``autodiscover()`` imports those modules when
Django starts.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from minwon.kernel.types import Command, Event

C = TypeVar("C", bound="Command")
E = TypeVar("E", bound="Event")

Handler = Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class HandlerSpec:
    command_type: type[Command]
    fn: Callable[..., Any]


@dataclasses.dataclass(frozen=True)
class ReceiverSpec:
    name: str
    event_type: type[Event]
    fn: Callable[..., Any]


handlers: dict[type, HandlerSpec] = {}
commands_by_name: dict[str, type[Command]] = {}
events_by_name: dict[str, type[Event]] = {}
subscribers: dict[type, list[Callable[..., Any]]] = defaultdict(list)
receivers: dict[type, list[ReceiverSpec]] = defaultdict(list)
receivers_by_name: dict[str, ReceiverSpec] = {}


def handler(command_type: type[C]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the one handler of ``command_type``: ``fn(cmd, *, ctx) -> JSON-safe result``."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        existing = handlers.get(command_type)
        if existing is not None and existing.fn is not fn:
            raise RuntimeError(f"{command_type.__name__} already has a handler")
        handlers[command_type] = HandlerSpec(command_type, fn)
        commands_by_name[command_type.command_name()] = command_type
        return fn

    return register


def subscriber(event_type: type[E]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a projection that runs inside the emitting command's transaction:
    ``fn(event, *, ctx)``. If it raises, the whole command is rolled back."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        events_by_name[event_type.event_name()] = event_type
        if fn not in subscribers[event_type]:
            subscribers[event_type].append(fn)
        return fn

    return register


def receiver(
    event_type: type[E], *, name: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an out-of-process effect delivered by ``minwon worker`` at least once:
    ``fn(event, *, meta)``. It must be idempotent (``meta.event_id`` is a stable key)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        events_by_name[event_type.event_name()] = event_type
        spec = ReceiverSpec(name, event_type, fn)
        if name in receivers_by_name and receivers_by_name[name].fn is not fn:
            raise RuntimeError(f"receiver {name} registered twice")
        if name not in receivers_by_name:
            receivers[event_type].append(spec)
        receivers_by_name[name] = spec
        return fn

    return register


def register_event(event_type: type[E]) -> type[E]:
    """Class decorator: make an event type known by name (for replay and the contract test)."""
    events_by_name[event_type.event_name()] = event_type
    return event_type


def handler_for(command_type: type) -> HandlerSpec:
    try:
        return handlers[command_type]
    except KeyError:
        raise LookupError(f"no handler registered for {command_type.__name__}") from None


def autodiscover() -> None:
    """Import every minwon app's ``permissions``, ``commands`` and ``events`` modules."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("minwon."):
            continue
        for module in ("permissions", "commands", "events"):
            full = f"{config.name}.{module}"
            if importlib.util.find_spec(full) is not None:
                importlib.import_module(full)

"""The kernel's vocabulary: commands, events, actors and channels (DESIGN §3).

A command is a frozen dataclass with JSON-safe fields. It carries its idempotency key
(``command_id``), the business time of the act (``occurred_at``), who acts, through which
channel and in which jurisdiction. Events are past-tense facts a handler emits.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import uuid
from datetime import datetime
from typing import Any, ClassVar, Self

from pydantic import TypeAdapter

from minwon.kernel import clock

NATION = "0000000000"  # 대한민국: the root of every jurisdiction path.


class Channel(enum.StrEnum):
    """접수 경로: where a command came from."""

    ONLINE = "online"
    COUNTER = "counter"
    KIOSK = "kiosk"
    MAIL = "mail"
    AGENCY = "agency"
    EDGE = "edge"
    SYSTEM = "system"


class ActorKind(enum.StrEnum):
    STAFF = "staff"
    CITIZEN = "citizen"
    AGENCY = "agency"
    SYSTEM = "system"
    ANONYMOUS = "anonymous"


@dataclasses.dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a staff member, a citizen, an agency client, or the system itself."""

    kind: ActorKind
    id: int | None = None
    name: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.id if self.id is not None else '-'}"

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(ActorKind.SYSTEM, None, name)

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(ActorKind.ANONYMOUS, None, "")


class Continuity(enum.StrEnum):
    """What an office's edge node may do with a command type (DESIGN §3.1, 연속성).

    Read by the edge's pipeline stage, its counter gateway, its journal and central's
    replay and forward endpoints, so each command type says it once."""

    #: Runs on the edge's replica, in either mode, and is replayed to central (소급 적용).
    LOCAL = "local"
    #: Central runs it: the edge forwards it while central answers; while central is
    #: unreachable the edge runs it locally, marked, and replays it (certificates).
    FORWARD = "forward"
    #: Central only: refused at an edge, never replayed (administration, back office).
    REFUSE = "refuse"
    #: Concerns the edge node itself and never leaves it (its mode switch).
    EDGE_ONLY = "edge_only"


class RoomCategory(enum.StrEnum):
    """What the situation room counts a successful command as (상황실 분류)."""

    ISSUANCES = "issuances"
    PETITIONS_RECEIVED = "petitions_received"
    PETITIONS_DECIDED = "petitions_decided"
    LOGINS = "logins"
    MOVES_IN = "moves_in"
    SHARING = "sharing"
    EDGE_APPLIED = "edge_applied"
    CAMPAIGNS = "campaigns"


@dataclasses.dataclass(frozen=True, slots=True)
class Origin:
    """The node a command reached central through, besides its actor: an office's edge
    node, authenticated by its key and bound to one office's subtree."""

    edge_id: str
    office: str
    #: The key the edge authenticated with (its agency client).
    key: str = ""

    def __str__(self) -> str:
        return f"edge:{self.edge_id}[{self.key}]" if self.key else f"edge:{self.edge_id}"


def _new_id() -> uuid.UUID:
    return uuid.uuid4()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Command:
    """Base of every command. Subclasses add their own fields and set ``permission``."""

    schema_version: ClassVar[int] = 1
    #: The declared permission the actor needs over ``jurisdiction`` (an app's
    #: ``permissions.py``); ``None`` when the handler decides from the record itself (a
    #: citizen acting on their own application, a public verification).
    permission: ClassVar[str | None] = None
    #: What an edge node may do with it; the safe default is central only.
    continuity: ClassVar[Continuity] = Continuity.REFUSE
    #: What the situation room counts it as, or ``None``: not counted.
    room_category: ClassVar[RoomCategory | None] = None

    actor: Actor
    channel: Channel
    jurisdiction: str
    command_id: uuid.UUID = dataclasses.field(default_factory=_new_id)
    occurred_at: datetime = dataclasses.field(default_factory=clock.now)

    @classmethod
    def command_name(cls) -> str:
        return cls.__name__

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _adapter(type(self)).dump_python(self, mode="json")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        value: Self = _adapter(cls).validate_python(data)
        return value

    def content_digest(self) -> str:
        """Digest of what the command asks, without its id and business time, so a client's
        retry with the same Idempotency-Key (and a fresh default ``occurred_at``) matches."""
        return content_digest_of(self.command_name(), self.schema_version, self.to_json())


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event: a past-tense fact, delivered in order through the outbox."""

    schema_version: ClassVar[int] = 1

    @classmethod
    def event_name(cls) -> str:
        return cls.__name__

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _adapter(type(self)).dump_python(self, mode="json")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        value: Self = _adapter(cls).validate_python(data)
        return value


def content_digest_of(name: str, schema_version: int, payload: dict[str, Any]) -> str:
    """``Command.content_digest`` from a stored payload (``to_json()``'s form): ``audit
    verify`` recomputes it to find a command record whose payload was edited."""
    data = _without_ciphertexts(payload)
    data.pop("command_id", None)
    data.pop("occurred_at", None)
    data["__name__"] = name
    data["__v__"] = schema_version
    return digest(data)


def same_content(command: Command, recorded_digest: str, recorded_payload: dict[str, Any]) -> bool:
    """Whether ``command`` asks what a recorded command of the same id asked.

    A command type may gain a field with a default after a command was recorded (an edge
    journal replayed after an upgrade, a client's retry across a deploy): the new field is
    absent from the recorded payload, and the command read back now carries its default, so
    the plain digests differ. Such a field, still at its default, is left out and the
    digest compared again — at every level of nesting. Any other difference is a different
    request. Only the mismatch path pays for this."""
    name, version = command.command_name(), command.schema_version
    payload = command.to_json()
    if content_digest_of(name, version, payload) == recorded_digest:
        return True
    trimmed = _without_new_defaults(command, payload, recorded_payload)
    return trimmed != payload and content_digest_of(name, version, trimmed) == recorded_digest


def _field_default(field: dataclasses.Field[Any]) -> tuple[bool, Any]:
    if field.default is not dataclasses.MISSING:
        return True, field.default
    if field.default_factory is not dataclasses.MISSING:
        return True, field.default_factory()
    return False, None


def _without_new_defaults(value: Any, data: Any, recorded: Any) -> Any:
    """``data`` (``value``'s JSON form) without the fields ``recorded`` lacks that hold
    their default in ``value``."""
    if dataclasses.is_dataclass(value) and isinstance(data, dict) and isinstance(recorded, dict):
        fields = {f.name: f for f in dataclasses.fields(value)}
        kept: dict[str, Any] = {}
        for key, item in data.items():
            field = fields.get(key)
            if field is None:
                kept[key] = item
                continue
            current = getattr(value, key)
            if key not in recorded:
                has_default, default = _field_default(field)
                if has_default and current == default:
                    continue
            kept[key] = _without_new_defaults(current, item, recorded.get(key))
        return kept
    if (
        isinstance(value, list | tuple)
        and isinstance(data, list)
        and isinstance(recorded, list)
        and len(value) == len(data) == len(recorded)
    ):
        return [
            _without_new_defaults(v, d, r) for v, d, r in zip(value, data, recorded, strict=True)
        ]
    return data


def _without_ciphertexts(value: Any) -> Any:
    """Sealed values (``{"sealed": ..., "ciphertext": ...}``) count by their index only."""
    if isinstance(value, dict):
        return {
            k: _without_ciphertexts(v)
            for k, v in value.items()
            if not (k == "ciphertext" and "sealed" in value)
        }
    if isinstance(value, list):
        return [_without_ciphertexts(v) for v in value]
    return value


_adapters: dict[type, TypeAdapter[Any]] = {}


def _adapter(cls: type) -> TypeAdapter[Any]:
    adapter = _adapters.get(cls)
    if adapter is None:
        adapter = _adapters[cls] = TypeAdapter(cls)
    return adapter


def canonical(data: Any) -> bytes:
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def digest(data: Any) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def idempotency_uuid(actor: Actor, key: str) -> uuid.UUID:
    """Map an ``Idempotency-Key`` header to a command id, scoped to the actor so two clients'
    keys never collide. A key that already is a UUID is still scoped."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:{actor}:{key}")

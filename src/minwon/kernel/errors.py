"""Errors a command can raise, each carrying a code, a Korean and an English message and the
field it concerns, so every channel (page, API, CLI, edge) reports the same thing.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the user can act on. The API maps it to a 4xx with a JSON body."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message_ko: str,
        message_en: str,
        *,
        field: str | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message_en)
        self.message_ko = message_ko
        self.message_en = message_en
        self.field = field
        if code:
            self.code = code
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message_ko,
            "message_en": self.message_en,
            "field": self.field,
        }
        if self.details:
            body["details"] = self.details
        return body


class ValidationFailed(DomainError):
    """Input that does not meet the rules (400)."""

    status = 400
    code = "validation_failed"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """The actor may not do this here (403): role or jurisdiction scope."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The request clashes with the current state (409): an impossible transition, a reused
    idempotency key with other content, a concurrent change."""

    status = 409
    code = "conflict"


class IdempotencyConflict(Conflict):
    code = "idempotency_key_reused"


def forbidden_scope(field: str = "jurisdiction") -> Forbidden:
    return Forbidden(
        "담당 관할 구역 밖의 업무입니다.",
        "This lies outside your jurisdiction.",
        field=field,
        code="out_of_scope",
    )

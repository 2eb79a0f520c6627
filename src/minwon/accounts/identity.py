"""Identity proofing (본인확인) behind one interface.

A citizen proves who they are once, at sign-up or at a kiosk; minwon keeps only the blind
index of the resident registration number. The verifier in use is named by the setting
``MINWON_IDENTITY_VERIFIER``. ``DemoVerifier`` accepts any well-formed number with a name; a
production deployment plugs 간편인증 (simple authentication via a private certificate
provider), 공동인증서 or 모바일 신분증 in here by implementing ``IdentityVerifier``.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from typing import Protocol

from django.utils.module_loading import import_string

from minwon.kernel import rrn as rrn_mod
from minwon.kernel.errors import ValidationFailed


@dataclasses.dataclass(frozen=True)
class VerifiedIdentity:
    """What a successful proofing yields: never the number itself."""

    name: str
    birth_date: date
    identity_index: str
    method: str
    sealed_rrn: rrn_mod.SealedRRN


class IdentityVerifier(Protocol):
    method: str

    def verify(self, *, name: str, rrn: str, phone: str = "") -> VerifiedIdentity: ...


class DemoVerifier:
    """For demos and tests: a valid-looking number and a non-empty name are enough."""

    method = "demo"

    def verify(self, *, name: str, rrn: str, phone: str = "") -> VerifiedIdentity:
        name = (name or "").strip()
        if not name:
            raise ValidationFailed("이름을 입력하세요.", "Enter your name.", field="name")
        parsed = rrn_mod.parse(rrn, field="rrn")
        sealed = rrn_mod.SealedRRN.seal(parsed)
        return VerifiedIdentity(
            name=name,
            birth_date=parsed.birth_date,
            identity_index=sealed.index,
            method=self.method,
            sealed_rrn=sealed,
        )


def verifier() -> IdentityVerifier:
    path = os.environ.get("MINWON_IDENTITY_VERIFIER", "minwon.accounts.identity.DemoVerifier")
    cls = import_string(path)
    instance: IdentityVerifier = cls()
    return instance

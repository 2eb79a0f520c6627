"""Test data for sharing, made through commands: an agency with an API key and an Ed25519
signing key, residents with a citizen account, and signed requests as an agency sends them."""

from __future__ import annotations

import dataclasses
import json
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from django.test import Client

from minwon.accounts.commands import RegisterAgencyClient
from minwon.accounts.models import User
from minwon.kernel import clock, execute, rrn
from minwon.kernel.types import NATION, Actor, ActorKind, Channel
from minwon.registry.models import Person
from minwon.sharing.commands import GiveConsent, RegisterAgencySigningKey
from minwon.sharing.signatures import new_agency_key, sign_request
from minwon.web.api import key_hash
from tests.registry.factories import new_rrn, register

SYSTEM = Actor.system("test")
URL = "http://testserver/api/sharing/requests"


@dataclasses.dataclass
class Agency:
    client_id: int
    prefix: str
    api_key: str
    key: ed25519.Ed25519PrivateKey
    name: str


def agency(name: str = "국민건강보험공단", scope: str = NATION) -> Agency:
    prefix = f"ag{secrets.token_hex(4)}"
    api_key = f"{prefix}.{secrets.token_urlsafe(24)}"
    result = execute(
        RegisterAgencyClient(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=scope, name=name, prefix=prefix,
            key_hash=key_hash(api_key), permissions=["sharing.request"],
        )
    )  # fmt: skip
    client_id = int(result.value["client_id"])
    key, public_pem = new_agency_key()
    execute(
        RegisterAgencySigningKey(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, client_id=client_id,
            public_key_pem=public_pem,
        )
    )  # fmt: skip
    return Agency(client_id, prefix, api_key, key, name)


@dataclasses.dataclass
class Resident:
    person: Person
    user: User
    number: str

    @property
    def actor(self) -> Actor:
        return Actor(ActorKind.CITIZEN, self.user.pk, self.user.username)


def resident(make_citizen: Any, name: str = "김민원", **kwargs: Any) -> Resident:
    number = new_rrn()
    person = register(name, number=number, **kwargs)
    user = make_citizen(number=number, name=name)
    return Resident(person, user, number)


def consent(
    who: Resident,
    to: Agency,
    *,
    item: str = "tax_clearance",
    purpose: str = "tax_clearance",
    days: int = 30,
) -> str:
    result = execute(
        GiveConsent(
            actor=who.actor, channel=Channel.ONLINE, jurisdiction=NATION,
            recipient_kind="agency", recipient_id=str(to.client_id), items=[item],
            purpose=purpose, valid_until=clock.now().date() + timedelta(days=days),
        )
    )  # fmt: skip
    return str(result.value["reference"])


def request_body(who: Resident, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject_rrn": who.number, "item": "tax_clearance", "purpose": "납세 여부 확인",
        "case_reference": "2026-민원-000123", "officer": "급여관리부 김담당",
    }  # fmt: skip
    body.update(overrides)
    return body


def signed_post(
    ag: Agency,
    body: dict[str, Any] | bytes,
    *,
    nonce: str | None = None,
    created: datetime | None = None,
    expires: datetime | None = None,
    key: ed25519.Ed25519PrivateKey | None = None,
    send_body: bytes | None = None,
    keyid: str | None = None,
) -> Any:
    """POST a signed request as an agency system would; ``send_body`` replaces the body after
    signing (an altered message), ``key`` signs with another key."""
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    headers = sign_request(
        method="POST", url=URL, body=raw, keyid=keyid or ag.prefix, key=key or ag.key,
        nonce=nonce or uuid.uuid4().hex, created=created, expires=expires,
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    headers["X-Api-Key"] = ag.api_key
    headers.pop("Content-Type", None)
    return Client().post(
        "/api/sharing/requests", data=send_body if send_body is not None else raw,
        content_type="application/json", headers=headers,
    )  # fmt: skip


def person_rrn_index(number: str) -> str:
    return rrn.SealedRRN.from_text(number).index

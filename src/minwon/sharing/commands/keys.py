"""Agencies' signing keys, and the disclosure of deferred reads when their deferral ends."""

from __future__ import annotations

import dataclasses
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from minwon.kernel.bus import Context
from minwon.kernel.errors import NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command

from .. import catalog, policies
from ..models import AgencySigningKey, SharingMessage
from .common import notify_read, today


@dataclasses.dataclass(frozen=True, kw_only=True)
class RegisterAgencySigningKey(Command):
    """An agency's Ed25519 public key for its request signatures; a new key retires the
    agency's previous one. The ``keyid`` is the agency's key prefix."""

    permission = policies.MANAGE_KEYS
    client_id: int
    public_key_pem: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class DiscloseDeferredReads(Command):
    """Reads whose deferral (수사 등) ended appear to the subject now, with their notice."""

    permission = "sharing.disclose"


def _public_key(pem: str) -> ed25519.Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError:
        key = None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ValidationFailed(
            "Ed25519 공개키(PEM)가 아닙니다.",
            "Not an Ed25519 public key in PEM.",
            field="public_key_pem",
        )
    return key


@handler(RegisterAgencySigningKey)
def register_agency_signing_key(cmd: RegisterAgencySigningKey, *, ctx: Context) -> dict[str, Any]:
    from minwon.accounts.models import AgencyClient

    _public_key(cmd.public_key_pem)
    client = AgencyClient.objects.filter(pk=cmd.client_id, active=True).first()
    if client is None:
        raise NotFound("기관을 찾을 수 없습니다.", "Agency not found.", field="client_id")
    AgencySigningKey.objects.filter(client=client, retired_at__isnull=True).update(
        retired_at=ctx.recorded_at
    )
    key = AgencySigningKey.objects.create(
        client=client,
        keyid=client.prefix,
        public_key=cmd.public_key_pem.strip(),
        registered_at=ctx.recorded_at,
    )
    return {"key_id": key.pk, "keyid": key.keyid}


@handler(DiscloseDeferredReads)
def disclose_deferred_reads(cmd: DiscloseDeferredReads, *, ctx: Context) -> dict[str, Any]:
    due = list(
        SharingMessage.objects.select_for_update().filter(
            outcome=SharingMessage.Outcome.ANSWERED,
            deferred_until__lte=today(ctx),
            disclosed_at__isnull=True,
        )
    )
    for message in due:
        item = catalog.item(message.item)
        notify_read(
            ctx, message, item_name=item.name, purpose_name=item.purpose(message.purpose).name
        )
    SharingMessage.objects.filter(pk__in=[m.pk for m in due]).update(disclosed_at=ctx.recorded_at)
    return {"disclosed": len(due)}

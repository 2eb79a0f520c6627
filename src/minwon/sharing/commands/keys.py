"""Agencies' signing keys; telling subjects of reads: deferred sharing reads when their
deferral ends, and staff reads from the access log."""

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
from ..models import AgencySigningKey, NoticeCursor, SharingMessage, UsedNonce
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

    permission = policies.DISCLOSE


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


@dataclasses.dataclass(frozen=True, kw_only=True)
class NotifyStaffReads(Command):
    """국민비서-style notices for the reads the access log holds (an officer's look-up, a
    clerk at the counter): one inbox message per subject listing each new read since the
    last run. Sharing reads are notified by their own command and skipped here."""

    permission = policies.DISCLOSE
    limit: int = 5000


@handler(NotifyStaffReads)
def notify_staff_reads(cmd: NotifyStaffReads, *, ctx: Context) -> dict[str, Any]:

    from minwon.kernel import clock
    from minwon.kernel.models import AccessLog
    from minwon.notices.commands import notify
    from minwon.registry.models import Person

    from ..queries import actor_names

    cursor, _ = NoticeCursor.objects.get_or_create(name="access_log")
    cursor = NoticeCursor.objects.select_for_update().get(pk=cursor.pk)
    rows = list(
        AccessLog.objects.filter(id__gt=cursor.last_id).order_by("id")[
            : max(1, min(cmd.limit, 20000))
        ]
    )
    if not rows:
        return {"notified": 0, "reads": 0}
    shown = [
        r for r in rows
        if r.subject_type == "person" and r.actor.startswith(("staff:", "agency:"))
        and not r.what.startswith("sharing:") and r.subject_id.isdigit()
    ]  # fmt: skip
    index_of = dict(
        Person.objects.filter(pk__in={int(r.subject_id) for r in shown}).values_list(
            "pk", "rrn_index"
        )
    )
    names = actor_names(r.actor for r in shown)
    by_subject: dict[str, list[Any]] = {}
    for r in shown:
        if int(r.subject_id) in index_of:
            by_subject.setdefault(index_of[int(r.subject_id)], []).append(r)
    for index, reads in by_subject.items():
        notify(
            ctx, recipient_index=index, category="general",
            subject=f"[열람 알림] 공무원이 내 정보를 {len(reads)}건 열람했습니다",
            body="기관이나 공무원이 업무로 내 정보를 열람했습니다. 열람 이력에서 자세히 보고, 이상하면 이의를 제기할 수 있습니다.",
            items=[
                {"label": clock.local(r.at).strftime("%Y-%m-%d %H:%M"),
                 "value": f"{names.get(r.actor, r.actor)} · {r.purpose}"}
                for r in reads[:50]
            ],
        )  # fmt: skip
    NoticeCursor.objects.filter(pk=cursor.pk).update(last_id=rows[-1].pk, moved_at=ctx.recorded_at)
    return {"notified": len(by_subject), "reads": len(rows)}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ForgetOldNonces(Command):
    """Nonces older than a day need not be kept: a signature that old is refused as stale
    (``signatures.MAX_AGE``) before its nonce is looked at."""

    permission = policies.DISCLOSE


@handler(ForgetOldNonces)
def forget_old_nonces(cmd: ForgetOldNonces, *, ctx: Context) -> dict[str, Any]:
    from datetime import timedelta

    deleted, _ = UsedNonce.objects.filter(seen_at__lt=ctx.recorded_at - timedelta(days=1)).delete()
    return {"forgotten": deleted}

"""Kiosk devices (무인민원발급기) as authenticated actors: their credentials, the gate every
kiosk URL passes, their heartbeat, and the throttles of what a kiosk does for a person.

**Credential.** An administrator enrols a device (``EnrollKioskDevice``, staff page
``/staff/kiosks/``) and gets a one-time hand-over code, shown once. Typed on the kiosk at
``/kiosk/enrol/`` (``HandOverKioskDevice``), the code becomes the device secret: 256 random
bits set in the kiosk browser's cookie ``minwon_kiosk_device`` as ``<device id>.<secret>``
(HttpOnly, SameSite=Strict, Secure where sessions are, path ``/kiosk/``), never shown to
anyone. Only SHA-256 digests of codes and secrets are stored; the secret is compared in
constant time.

**Gate.** ``KioskDeviceMiddleware`` authenticates every request under ``/kiosk/`` (except
the hand-over page): no cookie, an unknown device or a wrong secret answer the 대체 창구
안내 with 401, a revoked device with 403 — no form, nothing changed. A device that passes
is ``request.kiosk_device``; the kiosk pages take their office (fees, issuer, the
petition's jurisdiction) and their kiosk id from it, never from the request.

**Heartbeat.** An authenticated request older than a minute since the device's last one
runs ``RecordKioskHeartbeat`` (so at most one write a minute per device, however busy);
``kiosk.js`` polls ``/kiosk/heartbeat/`` every minute so an idle kiosk stays 'seen'. The
situation room shows 응답 없음 past ``STALE_SECONDS``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minwon.accounts import identity
from minwon.accounts.commands import HEARTBEAT_SECONDS, RecordKioskHeartbeat
from minwon.accounts.models import KioskDevice
from minwon.kernel import clock, execute, throttle
from minwon.kernel import rrn as rrn_mod
from minwon.kernel.errors import DomainError
from minwon.kernel.types import Actor, ActorKind, Channel

log = logging.getLogger(__name__)

COOKIE = "minwon_kiosk_device"
#: How long a kiosk that has not called is still shown as answering.
STALE_SECONDS = 180
#: Where the gate does not apply: the page that turns a hand-over code into the cookie.
OPEN_PATHS = ("/kiosk/enrol/",)


def handover_seconds() -> int:
    """How long a hand-over code stays usable (30 minutes unless configured)."""
    return int(os.environ.get("MINWON_KIOSK_HANDOVER_SECONDS", "1800"))


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_device_id() -> str:
    return f"kiosk-{secrets.token_hex(4)}"


def new_handover_code() -> str:
    """20 characters of base32 (100 bits) in groups of four, easy to type on a touch
    keyboard; case, spaces and dashes do not matter (``normal_code``)."""
    text = base64.b32encode(secrets.token_bytes(15)).decode()[:20]
    return "-".join(text[i : i + 4] for i in range(0, 20, 4))


def normal_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:40]


def handover_expiry(now: datetime | None = None, seconds: int | None = None) -> datetime:
    return (now or clock.now()) + timedelta(seconds=seconds or handover_seconds())


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def cookie_value(device_id: str, secret: str) -> str:
    return f"{device_id}.{secret}"


def set_cookie(response: HttpResponse, device_id: str, secret: str) -> None:
    response.set_cookie(
        COOKIE, cookie_value(device_id, secret), max_age=10 * 365 * 86400, path="/kiosk/",
        secure=bool(settings.SESSION_COOKIE_SECURE), httponly=True, samesite="Strict",
    )  # fmt: skip


def device_for_handover(code: str) -> KioskDevice | None:
    """The device a typed hand-over code names, for the command's jurisdiction; the
    command itself checks expiry and revocation again, under a lock."""
    normal = normal_code(code)
    if not normal:
        return None
    return KioskDevice.objects.filter(handover_hash=digest(normal), revoked_at__isnull=True).first()


def authenticate(request: HttpRequest) -> tuple[KioskDevice | None, str]:
    """The device behind the request and ``""`` when it may serve; else why not:
    ``missing`` (no credential), ``unknown`` (no such device, or a wrong secret) or
    ``revoked`` (the right secret of a revoked device, returned with it)."""
    value = request.COOKIES.get(COOKIE, "")
    device_id, dot, secret = value.partition(".")
    if not dot or not device_id or not secret:
        return None, "missing"
    device = KioskDevice.objects.select_related("office").filter(device_id=device_id).first()
    presented = digest(secret)
    stored = device.secret_hash if device is not None and device.secret_hash else "0" * 64
    if not hmac.compare_digest(presented, stored) or device is None:
        return None, "unknown"
    if device.revoked_at is not None:
        return device, "revoked"
    return device, ""


def actor_of(device: KioskDevice) -> Actor:
    """What the pipeline records as acting at a kiosk: the anonymous person at the screen,
    named by the device (the verified identity travels in the command itself)."""
    return Actor(ActorKind.ANONYMOUS, None, device.device_id)


def heartbeat(device: KioskDevice) -> None:
    """``RecordKioskHeartbeat`` unless the device called within the last minute. A
    failure to record it is logged and never takes the kiosk down."""
    now = clock.now()
    if device.last_seen_at is not None and now - device.last_seen_at < timedelta(
        seconds=HEARTBEAT_SECONDS
    ):
        return
    try:
        execute(
            RecordKioskHeartbeat(
                actor=actor_of(device), channel=Channel.KIOSK, jurisdiction=device.office_id,
                device_id=device.device_id,
            )
        )  # fmt: skip
    except DomainError:
        log.warning("kiosk heartbeat of %s refused", device.device_id, exc_info=True)


def unavailable(
    request: HttpRequest, reason: str, device: KioskDevice | None = None
) -> HttpResponse:
    """The 대체 창구 안내: where to go instead of this screen (the nearest counter, 정부24
    online, office hours, and any public status the situation room published)."""
    from minwon.ops.queries import public_status

    try:
        status = public_status()
    except Exception:  # the notice must show even when the room's tables cannot be read
        log.exception("public status unavailable for the kiosk notice")
        status = {"incidents": []}
    context = {
        "reason": reason, "office": device.office if device else None, "status": status,
        "kiosk_reset_url": "/kiosk/",
    }  # fmt: skip
    response = render(
        request, "kiosk/unavailable.html", context, status=403 if reason == "revoked" else 401
    )
    if reason == "unknown":  # a revoked device keeps its cookie, and so its office's notice
        response.delete_cookie(COOKIE, path="/kiosk/")
    return response


class KioskDeviceMiddleware:
    """Every kiosk URL serves only an enrolled, unrevoked device (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if not path.startswith("/kiosk/") or path.startswith(OPEN_PATHS):
            return self.get_response(request)
        device, reason = authenticate(request)
        if device is None or reason:
            return unavailable(request, reason, device)
        request.kiosk_device = device  # type: ignore[attr-defined]
        heartbeat(device)
        return self.get_response(request)


def device_of(request: HttpRequest) -> KioskDevice:
    """The authenticated device of a kiosk request (set by the middleware)."""
    device: KioskDevice | None = getattr(request, "kiosk_device", None)
    if device is None:  # a kiosk view reached without the gate: a configuration error
        raise RuntimeError("kiosk view without KioskDeviceMiddleware")
    return device


# --- throttles (kernel.throttle): per device and per identity ----------------------------

DEVICE_PROOF = throttle.Rule(
    "kiosk_device_proof", (120, 3600),
    "이 무인민원발급기에서 본인 확인 요청이 너무 많습니다. 잠시 뒤에 다시 시도하거나 "
    "민원실 창구를 이용하세요.",
    "Too many identity checks at this kiosk; try again later or use a counter.", field="rrn",
)  # fmt: skip
IDENTITY_PROOF = throttle.Rule(
    "kiosk_identity_proof", (10, 3600),
    "이 주민등록번호로 본인 확인을 너무 많이 시도했습니다. 1시간 뒤에 다시 시도하거나 "
    "민원실 창구를 이용하세요.",
    "Too many identity checks for this number; try again in an hour or use a counter.",
    field="rrn",
)  # fmt: skip
DEVICE_ISSUE = throttle.Rule(
    "kiosk_device_issue", (300, 3600),
    "이 무인민원발급기의 발급·접수가 너무 많습니다. 잠시 뒤에 다시 시도하거나 민원실 "
    "창구를 이용하세요.",
    "Too many issuances at this kiosk; try again later or use a counter.",
)  # fmt: skip
IDENTITY_ISSUE = throttle.Rule(
    "kiosk_identity_issue", (30, 86400),
    "오늘 무인민원발급기에서 발급·접수할 수 있는 건수를 넘었습니다. 민원실 창구나 "
    "정부24를 이용하세요.",
    "This person reached today's kiosk limit; use a counter or 정부24 online.",
)  # fmt: skip


def _index_of(number: str) -> str:
    """The blind index of a typed number, or "" when it is not one (the verifier then
    refuses it, naming the field)."""
    try:
        return rrn_mod.blind_index(rrn_mod.parse(number, field="rrn"))
    except DomainError:
        return ""


def start_proof(device: KioskDevice, address: str, *, name: str, rrn: str) -> identity.Challenge:
    """The first step of 본인 확인 at a kiosk, counted per address (``identity.START``),
    per device and per identity probed (across every kiosk)."""
    pairs = [(identity.START, f"ip:{address}"), (DEVICE_PROOF, f"device:{device.device_id}")]
    index = _index_of(rrn)
    if index:
        pairs.append((IDENTITY_PROOF, f"id:{index}"))
    throttle.take(*pairs)
    return identity.verifier().start(name=name, rrn=rrn)


def complete_proof(
    device: KioskDevice, address: str, challenge: identity.Challenge, *, code: str
) -> identity.VerifiedIdentity:
    """The code step, counted per address and per device for this identity; a right code
    is handed back and costs nothing."""
    taken = throttle.take(
        (identity.CODE, f"ip:{address}|id:{challenge.index}"),
        (identity.CODE, f"device:{device.device_id}|id:{challenge.index}"),
    )
    who = identity.verifier().complete(challenge, code=code)
    taken.refund()
    return who


def take_issue(device: KioskDevice, identity_index: str) -> throttle.Taken:
    """One issuance or filing at a kiosk, per device and per person; the caller refunds
    it when the command is refused (a refusal issued nothing)."""
    return throttle.take(
        (DEVICE_ISSUE, f"device:{device.device_id}"), (IDENTITY_ISSUE, f"id:{identity_index}")
    )


def devices_seen(rows: Any, now: datetime | None = None) -> list[dict[str, Any]]:
    """Devices with what the room and the admin screen show: 응답 없음 when a device has
    not called for ``STALE_SECONDS`` (or never did)."""
    now = now or clock.now()
    stale = timedelta(seconds=STALE_SECONDS)
    return [
        {
            "device": d,
            "revoked": d.revoked_at is not None,
            "pending": not d.secret_hash and d.revoked_at is None,
            "silent": d.revoked_at is None
            and (d.last_seen_at is None or now - d.last_seen_at > stale),
        }
        for d in rows
    ]

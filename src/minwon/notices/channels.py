"""송달 수단 behind one interface: ``send(notice)`` delivers or raises.

The inbox is written with the notice itself (same database, same transaction); e-mail goes
through Django's mail backend (SMTP in production, the file backend in the demo); SMS/알림톡
through an ``SmsGateway`` (a demo sink that writes JSON lines; a carrier's or Kakao's API in
production); paper through the print batch. A ``TemporaryFailure`` is retried with
backoff; a ``PermanentFailure`` (no such address) is not.

Simulated recipients, like GOV.UK Notify's smoke-test addresses, let tests and the demo
exercise every path without sending anything: ``delivered@…``/``010-0000-0001`` always
arrive, ``failing@…``/``010-0000-0002`` always fail, ``unopened@…``/``010-0000-0003``
arrive and are never opened.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

from minwon.kernel import clock
from minwon.notices.models import DeliveryChannel, Notice

SIMULATOR_DOMAIN = "simulator.minwon.test"
SIMULATED_PHONES = {"010-0000-0001": "delivered", "010-0000-0002": "failing",
                    "010-0000-0003": "unopened"}  # fmt: skip


class TemporaryFailure(Exception):
    """The channel could not deliver now (server down, rate limited): retry later."""


class PermanentFailure(Exception):
    """The channel will never deliver this (unknown address): do not retry."""


def simulated(contact: str) -> str | None:
    """``delivered``, ``failing`` or ``unopened`` for a simulated recipient, else None."""
    if contact in SIMULATED_PHONES:
        return SIMULATED_PHONES[contact]
    local, _, domain = contact.partition("@")
    if domain == SIMULATOR_DOMAIN and local in ("delivered", "failing", "unopened"):
        return local
    return None


class Sender(Protocol):
    channel: str

    def contact(self, notice: Notice) -> str: ...

    def send(self, notice: Notice) -> None: ...


def _text(notice: Notice) -> str:
    lines = [notice.body, ""]
    lines += [f"- {i.get('label', '')}: {i.get('value', '')}" for i in notice.items]
    lines.append(f"- {notice.deadline_label}: {notice.deadline_on:%Y-%m-%d}")
    lines.append(f"- 발송: {clock.local(notice.issued_at):%Y-%m-%d %H:%M} (한국 시간)")
    return "\n".join(lines)


def _simulate(contact: str) -> bool:
    """True when the recipient is simulated and the send must be skipped."""
    kind = simulated(contact)
    if kind == "failing":
        raise TemporaryFailure("simulated recipient: always failing")
    return kind is not None


class EmailSender:
    channel: str = DeliveryChannel.EMAIL.value

    def contact(self, notice: Notice) -> str:
        return notice.email

    def send(self, notice: Notice) -> None:
        if _simulate(notice.email):
            return
        try:
            send_mail(f"[minwon] {notice.subject}", _text(notice), None, [notice.email])
        except OSError as exc:  # SMTP down or refused: try again later
            raise TemporaryFailure(str(exc)) from exc


class SmsGateway(Protocol):
    """A carrier's SMS or a 알림톡 API: raises ``TemporaryFailure``/``PermanentFailure``."""

    def send(self, phone: str, text: str) -> None: ...


class DemoSmsSink:
    """Writes each message as one JSON line under ``var/sms`` (and keeps it in ``sent``)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.sent: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        folder = self.folder or Path(getattr(settings, "MINWON_SMS_DIR", settings.VAR_DIR / "sms"))
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"to": phone, "text": text, "at": clock.now().isoformat()},
                          ensure_ascii=False)  # fmt: skip
        with self._lock:
            with (folder / f"sms-{clock.now():%Y%m%d}.jsonl").open("a", encoding="utf-8") as f:
                f.write(line + "\n")
            self.sent.append((phone, text))


gateway: SmsGateway = DemoSmsSink()


class SmsSender:
    channel: str = DeliveryChannel.SMS.value

    def contact(self, notice: Notice) -> str:
        return notice.phone

    def send(self, notice: Notice) -> None:
        if _simulate(notice.phone):
            return
        text = f"[{notice.subject}] {notice.deadline_label} {notice.deadline_on:%m/%d}. 전자고지함에서 확인하세요."
        gateway.send(notice.phone, text)


SENDERS: dict[str, Sender] = {
    DeliveryChannel.EMAIL: EmailSender(),
    DeliveryChannel.SMS: SmsSender(),
}

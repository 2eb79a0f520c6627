"""Identity proofing (본인확인) behind one interface: the boundary between a person and
everything minwon lets them see about themselves.

A proofing has two steps, as every real method does: ``start`` (the person gives a name and
a resident registration number; the method sends something to what is registered to that
person: a code to the phone, a push to the 간편인증 app, a challenge to the 공동인증서) and
``complete`` (the person proves they received it). Only then is there a
``VerifiedIdentity``, with its **assurance level** and **method**; what each level may see
is policy (revealing RRN back digits on a certificate needs ``Assurance.HIGH``:
``documents.commands._check_reveal``). minwon keeps only the blind index.

The verifier in use is named by ``MINWON_IDENTITY_VERIFIER``. ``DemoVerifier`` stands in
for 휴대폰 본인확인: it proves possession of the contact registered to the number in the demo
directory (``MINWON_DEMO_CONTACTS``, written by ``minwon demo``; a carrier's subscriber
list in real life) by sending a one-time code there through the mail backend (files under
``var/mail/`` in the demo). It answers ``start`` identically whether or not the number is
known, so it tells nobody which numbers exist. Under ``MINWON_PRODUCTION=1`` a Django
system check (``accounts.E001``, also in ``minwon check --deploy``) refuses it.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import hmac
import json
import os
import secrets
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core import checks
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from minwon.kernel import clock, throttle
from minwon.kernel import rrn as rrn_mod
from minwon.kernel.errors import ValidationFailed

DEFAULT_VERIFIER = "minwon.accounts.identity.DemoVerifier"
CODE_SECONDS = 300


class Assurance(enum.StrEnum):
    """How strongly a proofing binds the person to the number (eIDAS-like levels)."""

    LOW = "low"  # knowledge only (a name and a number)
    SUBSTANTIAL = "substantial"  # possession of a registered phone or app (휴대폰, 간편인증)
    HIGH = "high"  # a certificate or biometrics (공동인증서, 지문 at a kiosk, 대면 확인)

    @property
    def rank(self) -> int:
        return [Assurance.LOW, Assurance.SUBSTANTIAL, Assurance.HIGH].index(self)

    def at_least(self, other: Assurance) -> bool:
        return self.rank >= other.rank


def assurance_of(value: str) -> Assurance:
    try:
        return Assurance(value)
    except ValueError:
        return Assurance.LOW


@dataclasses.dataclass(frozen=True)
class VerifiedIdentity:
    """What a successful proofing yields: never the number in clear."""

    name: str
    birth_date: date
    identity_index: str
    method: str
    assurance: Assurance
    sealed_rrn: rrn_mod.SealedRRN


@dataclasses.dataclass(frozen=True)
class Challenge:
    """A proofing under way, JSON-safe so a page keeps it in the session between the two
    steps. Holds the sealed number and a digest of the code, never either in clear."""

    method: str
    name: str
    sealed: dict[str, str]
    code_digest: str
    expires_at: float

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Challenge:
        return cls(**data)

    @property
    def index(self) -> str:
        return self.sealed["index"]


class IdentityVerifier(Protocol):
    method: str
    #: A verifier for demos and tests; the production check refuses it.
    demo: bool

    def start(self, *, name: str, rrn: str) -> Challenge: ...

    def complete(self, challenge: Challenge, *, code: str) -> VerifiedIdentity: ...


def _wrong_code() -> ValidationFailed:
    return ValidationFailed(
        "인증번호가 맞지 않거나 유효시간이 지났습니다. 다시 확인하세요.",
        "The code is wrong or has expired.",
        field="code",
        code="wrong_code",
    )


def _digest(code: str, sealed_index: str) -> str:
    key = hashlib.sha256(f"minwon-proof:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{sealed_index}:{code}".encode(), hashlib.sha256).hexdigest()


def demo_contacts_path() -> Path:
    default = Path(settings.VAR_DIR) / "demo" / "contacts.json"
    return Path(os.environ.get("MINWON_DEMO_CONTACTS") or default)


def register_demo_contact(number: str, *, name: str, email: str) -> None:
    """Add a person to the demo directory (what the carrier knows: name and contact per
    number), keyed by the number's blind index."""
    path = demo_contacts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text()) if path.exists() else {}
    data[rrn_mod.SealedRRN.from_text(number).index] = {"name": name, "email": email}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def _demo_contact(index: str) -> dict[str, str] | None:
    path = demo_contacts_path()
    if not path.exists():
        return None
    entry: dict[str, str] | None = json.loads(path.read_text()).get(index)
    return entry


def _same_name(a: str, b: str) -> bool:
    return hmac.compare_digest("".join(a.split()).encode(), "".join(b.split()).encode())


class DemoVerifier:
    """휴대폰 본인확인 for demos and tests: a one-time code to the registered contact."""

    method = "demo-otp"
    demo = True
    assurance = Assurance.SUBSTANTIAL

    def start(self, *, name: str, rrn: str) -> Challenge:
        name = (name or "").strip()
        if not name:
            raise ValidationFailed("이름을 입력하세요.", "Enter your name.", field="name")
        sealed = rrn_mod.SealedRRN.seal(rrn_mod.parse(rrn, field="rrn"))
        code = f"{secrets.randbelow(10**6):06d}"
        contact = _demo_contact(sealed.index)
        if contact is not None and _same_name(contact["name"], name):
            send_mail(
                "[minwon] 본인확인 인증번호",
                f"{contact['name']}님, minwon 본인확인 인증번호는 {code} 입니다. "
                f"{CODE_SECONDS // 60}분 안에 입력하세요. 요청하지 않았다면 무시하세요.",
                None,
                [contact["email"]],
            )
        # Same answer whether or not the number is known (the code then reaches nobody).
        return Challenge(
            method=self.method,
            name=name[:60],
            sealed={"index": sealed.index, "ciphertext": sealed.ciphertext},
            code_digest=_digest(code, sealed.index),
            expires_at=clock.now().timestamp() + CODE_SECONDS,
        )

    def complete(self, challenge: Challenge, *, code: str) -> VerifiedIdentity:
        code = "".join((code or "").split())
        fresh = clock.now().timestamp() <= challenge.expires_at
        if not (
            fresh and hmac.compare_digest(_digest(code, challenge.index), challenge.code_digest)
        ):
            raise _wrong_code()
        sealed = rrn_mod.SealedRRN(**challenge.sealed)
        return VerifiedIdentity(
            name=challenge.name,
            birth_date=sealed.open().birth_date,
            identity_index=sealed.index,
            method=self.method,
            assurance=self.assurance,
            sealed_rrn=sealed,
        )


def verifier_path() -> str:
    return os.environ.get("MINWON_IDENTITY_VERIFIER") or DEFAULT_VERIFIER


def verifier() -> IdentityVerifier:
    instance: IdentityVerifier = import_string(verifier_path())()
    return instance


def demo_mode() -> bool:
    """The demo verifier outside production: the only case where pages may point the demo
    user at the demo mail file."""
    return bool(getattr(verifier(), "demo", False)) and not settings.PRODUCTION


def demo_mail(limit: int = 20) -> list[dict[str, str]]:
    """The newest messages of the mail file backend (``EMAIL_FILE_PATH``): the demo's
    outbox, where its one-time codes arrive. Demo only (``demo_mode``)."""
    import email
    import email.policy

    folder = Path(getattr(settings, "EMAIL_FILE_PATH", "") or "")
    if not folder.is_dir():
        return []
    found: list[dict[str, str]] = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        chunks = path.read_bytes().split(b"\n" + b"-" * 79 + b"\n")
        for chunk in reversed(chunks):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.strip(), policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
            found.append({
                "to": str(message.get("To", "")), "subject": str(message.get("Subject", "")),
                "date": str(message.get("Date", "")),
                "body": body.get_content() if body is not None else "",
            })  # fmt: skip
            if len(found) >= limit:
                return found
    return found


# --- throttles of the proofing steps (kernel.throttle) -----------------------------------

START = throttle.Rule(
    "identity_start", (30, 600),
    "본인확인 요청이 너무 많습니다. 10분 뒤에 다시 시도하세요.",
    "Too many identity checks from here; try again in 10 minutes.", field="rrn",
)  # fmt: skip
CODE = throttle.Rule(
    "proof_code", (5, 600),
    "인증번호가 여러 번 틀렸습니다. 10분 뒤에 다시 시도하세요.",
    "Too many wrong codes; try again in 10 minutes.", field="code",
)  # fmt: skip


def start_checked(address: str, *, name: str, rrn: str) -> Challenge:
    """``start`` counted per client address (``START``), so numbers cannot be walked."""
    throttle.take((START, f"ip:{address}"))
    return verifier().start(name=name, rrn=rrn)


def complete_checked(address: str, challenge: Challenge, *, code: str) -> VerifiedIdentity:
    """``complete`` counted per address and identity (``CODE``); a right code costs no try."""
    taken = throttle.take((CODE, f"ip:{address}|id:{challenge.index}"))
    identity = verifier().complete(challenge, code=code)
    taken.refund()
    return identity


@checks.register(checks.Tags.security)
def demo_verifier_refused_in_production(**_: Any) -> list[checks.CheckMessage]:
    """``MINWON_PRODUCTION=1`` with the demo verifier would let anyone be anyone."""
    if not settings.PRODUCTION:
        return []
    try:
        demo = bool(getattr(import_string(verifier_path()), "demo", False))
    except ImportError as exc:
        return [
            checks.Error(f"MINWON_IDENTITY_VERIFIER cannot be imported: {exc}", id="accounts.E002")
        ]
    if demo:
        return [
            checks.Error(
                "The demo identity verifier is configured in production.",
                hint="Set MINWON_IDENTITY_VERIFIER to a real 본인확인 provider's verifier.",
                id="accounts.E001",
            )
        ]
    return []

"""Demo sharing: an agency system with an API key and an Ed25519 signing key (printed by
``minwon demo``, so ``make run``), 김민원's (citizen1) consent that it may check her 지방세
납세 여부, and one such signed read, which she finds at ``/me/access/`` and in her inbox."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric import ed25519

from minwon.accounts.commands import RegisterAgencyClient
from minwon.config.paths import secret_file, var_dir
from minwon.kernel import clock, jurisdictions, rrn
from minwon.kernel.demo import DEMO_CITIES, DemoContext
from minwon.kernel.types import NATION, Actor, ActorKind, Channel
from minwon.registry.demo import builder

from .commands import AnswerSharingRequest, GiveConsent, RegisterAgencySigningKey
from .permissions import SharingPermission
from .signatures import private_pem, request_sha256, sign_request

SYSTEM = Actor.system("demo")
AGENCY_NAME = "국민건강보험공단 (demo)"
PREFIX = "demo-nhis"


def demo_agency_keys() -> tuple[str, ed25519.Ed25519PrivateKey]:
    """The demo agency's API key and signing key, from a secret generated once under
    ``var/secrets`` (so a second ``minwon demo`` prints the same ones)."""
    secret = secret_file("demo-agency", nbytes=32)
    api_key = f"{PREFIX}.{base64.urlsafe_b64encode(secret[:24]).decode()}"
    key = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"ed25519" + secret).digest())
    return api_key, key


def _write_private_key(key: ed25519.Ed25519PrivateKey) -> str:
    path = var_dir() / "secrets" / "demo-agency-ed25519.pem"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(private_pem(key))
    return str(path)


def _revoked_permit_in_gongju(ctx: DemoContext) -> None:
    """박지훈 (citizen3) had a 일반음식점 in 공주시, revoked: the national sanction check of a
    new one anywhere (e.g. by ``wonju-officer``) names 공주시."""
    from minwon.accounts.models import User
    from minwon.licensing.commands import GrantPermit, ImposeSanction
    from minwon.registry.queries import person_by_index

    citizen = User.objects.filter(username="citizen3", kind=User.Kind.CITIZEN).first()
    person = person_by_index(citizen.identity_index) if citizen else None
    if person is None:
        return
    today = clock.now().date()
    ctx.run("sharing:gongju-permit", builder(
        GrantPermit, actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=DEMO_CITIES["gongju"],
        kind="general_restaurant", holder_id=person.pk, business_name="공산성국밥",
        road_address="충청남도 공주시 웅진로 145", granted_on=today - timedelta(days=700),
    ))  # fmt: skip
    permit_id = ctx.result("sharing:gongju-permit")["permit_id"]
    ctx.run("sharing:gongju-revocation", builder(
        ImposeSanction, actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=DEMO_CITIES["gongju"],
        permit_id=permit_id, kind="revocation", starts_on=today - timedelta(days=120),
        legal_basis="식품위생법 제75조제1항", reason="영업정지 기간 중 영업",
    ))  # fmt: skip


def seed(ctx: DemoContext) -> None:
    from minwon.accounts.models import User
    from minwon.registry.queries import person_by_index
    from minwon.web.api import key_hash

    api_key, key = demo_agency_keys()
    public = key.public_key().public_bytes_raw()
    from cryptography.hazmat.primitives import serialization

    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    ctx.run("sharing:agency", builder(
        RegisterAgencyClient, actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION,
        name=AGENCY_NAME, prefix=PREFIX, key_hash=key_hash(api_key), permissions=[SharingPermission.REQUEST.value],
    ))  # fmt: skip
    client_id = ctx.result("sharing:agency")["client_id"]
    ctx.run(f"sharing:agency-key:{public.hex()[:16]}", builder(
        RegisterAgencySigningKey, actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION,
        client_id=client_id, public_key_pem=public_pem,
    ))  # fmt: skip
    ctx.login("공동이용 데모 기관 X-Api-Key (keyid)", PREFIX, api_key)
    ctx.say(f"sharing: demo agency signing key (Ed25519) in {_write_private_key(key)}")

    _revoked_permit_in_gongju(ctx)
    citizen = User.objects.filter(username="citizen1", kind=User.Kind.CITIZEN).first()
    person = person_by_index(citizen.identity_index) if citizen else None
    if citizen is None or person is None:
        return
    actor = Actor(ActorKind.CITIZEN, citizen.pk, citizen.username)
    ctx.run("sharing:consent:citizen1", builder(
        GiveConsent, actor=actor, channel=Channel.ONLINE, jurisdiction=NATION,
        recipient_kind="agency", recipient_id=str(client_id), items=["tax_clearance"],
        purpose="tax_clearance", valid_until=clock.now().date() + timedelta(days=365),
    ))  # fmt: skip
    nonce = str(ctx.command_id("sharing:read:citizen1:nonce"))
    body = b'{"demo": "citizen1 tax clearance"}'
    headers = sign_request(method="POST", url="http://demo/api/sharing/requests", body=body,
                           keyid=PREFIX, key=key, nonce=nonce)  # fmt: skip
    agency = Actor(ActorKind.AGENCY, client_id, AGENCY_NAME)
    ctx.run("sharing:read:citizen1", builder(
        AnswerSharingRequest, actor=agency, channel=Channel.AGENCY,
        jurisdiction=jurisdictions.sigungu_of(person.jurisdiction_id), item="tax_clearance",
        purpose="납세 여부 확인", subject_rrn=rrn.SealedRRN(index=person.rrn_index,
        ciphertext=base64.b64encode(bytes(person.rrn_ciphertext)).decode()),
        case_reference="건강보험 자격 2026-0001", officer="자격부과실 demo 담당", keyid=PREFIX,
        nonce=nonce, request_sha256=request_sha256(headers["Signature-Input"], headers["Signature"], body),
        reference=uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:demo:{ctx.seed}:sharing-read"),
    ))  # fmt: skip
    ctx.say("sharing: citizen1 consented; the demo agency checked her 지방세 납세 여부")

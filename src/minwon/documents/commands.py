"""Issuing certificates (제증명 발급): the only code that writes the ledger.

``IssueCertificate`` checks who asks (the person, a household member, a delegate with a
위임장 at the counter, an agency citing a law, anyone for public registers), charges the
channel's fee and records the payment, reads the subject through the data provider, renders
and signs the PDF, and appends one immutable ledger row — all in the command's transaction,
so a refusal leaves nothing behind and a retry with the same Idempotency-Key returns the
same document.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import secrets
from datetime import date
from typing import Any

from minwon.continuity.permissions import ContinuityPermission
from minwon.documents import ledger, providers, render
from minwon.documents.catalog import (
    CATALOG,
    CertType,
    PaymentMethod,
    Relation,
    fee_for,
    issuer_title,
)
from minwon.documents.keys import Mode
from minwon.documents.models import Issuance
from minwon.documents.permissions import DocumentsPermission
from minwon.documents.signing import signer_for
from minwon.kernel import clock, jurisdictions, sql
from minwon.kernel.bus import Context
from minwon.kernel.errors import Forbidden, ValidationFailed
from minwon.kernel.privacy import log_reads
from minwon.kernel.registry import handler, register_event
from minwon.kernel.text import is_ascii_digits
from minwon.kernel.types import NATION, ActorKind, Channel, Command, Continuity, Event, RoomCategory

ISSUE = DocumentsPermission.ISSUE
ISSUE_CONTINUITY = ContinuityPermission.COUNTER
AGENCY_ISSUE = DocumentsPermission.AGENCY_ISSUE

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed


def luhn_digit(digits: str) -> str:
    """The Luhn check digit that completes ``digits`` (catches one mistyped digit and most
    swaps before a look-up is spent)."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return len(number) == 16 and is_ascii_digits(number) and luhn_digit(number[:15]) == number[15]


def new_document_number() -> str:
    """16 digits: 15 from the OS's CSPRNG (≈50 bits, so not guessable) and a check digit."""
    body = f"{secrets.randbelow(10**15):015d}"
    return body + luhn_digit(body)


def new_verification_code() -> str:
    """The second factor printed on the document (8 characters, 40 bits)."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class CertificateIssued(Event):
    """A certificate was issued (for counts in the situation room; no personal data)."""

    document_number: str
    cert_type: str
    channel: str
    jurisdiction: str
    fee: int
    mode: str
    #: The paid order of the fee (a card charged at a kiosk, ``payments.checkout``): the
    #: payments subscriber links it to the document number in this transaction.
    payment_order: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssueCertificate(Command):
    """Issue one certificate of ``cert_type`` about ``subject`` ("self", a person id, a
    19-digit parcel number, a plate number or a business report number). Eligibility depends
    on the requester's relation to the subject, so it is checked in the handler."""

    room_category = RoomCategory.ISSUANCES

    continuity = Continuity.FORWARD

    permission = None

    cert_type: str
    subject: str = "self"
    show_rrn_back: bool = False
    include_relationship: bool = True
    include_history: bool = False
    history_from: date | None = None
    history_to: date | None = None
    purpose: str = ""
    applicant_index: str = ""
    delegate_name: str = ""
    power_of_attorney: str = ""
    legal_basis: str = ""
    payment_method: str = ""
    #: The order key of the card charge that paid the fee (``payments.checkout.charge``);
    #: the payment is linked to the document number when the certificate is issued.
    payment_order: str = ""
    kiosk_id: str = ""
    #: The assurance level of the kiosk's identity proofing (``accounts.identity``); a
    #: citizen's comes from their account, never from the command.
    assurance: str = ""
    mode: str = Mode.NORMAL.value

    def options(self) -> dict[str, Any]:
        return {
            "show_rrn_back": self.show_rrn_back,
            "include_relationship": self.include_relationship,
            "include_history": self.include_history,
            "history_from": self.history_from,
            "history_to": self.history_to,
            "purpose": self.purpose.strip(),
        }


def _invalid(ko: str, en: str, field: str) -> ValidationFailed:
    return ValidationFailed(ko, en, field=field)


def _cert_type(value: str) -> CertType:
    try:
        return CertType(value)
    except ValueError:
        raise _invalid(
            f"알 수 없는 증명서 종류입니다: {value}",
            f"Unknown certificate type: {value}",
            "cert_type",
        ) from None


@functools.lru_cache(maxsize=4096)
def _sigungu(code: str) -> tuple[str, str]:
    """(시·군·구 code, its name) for any code inside it."""
    unit = jurisdictions.sigungu_of(code)
    return unit, jurisdictions.get(unit).name


def _applicant_person(cmd: IssueCertificate, ctx: Context, *, household: bool) -> tuple[Any, Any]:
    """The resident record (a ``Person``) of the person standing in front of us (or
    logged in), or None; with ``household``, their household and its members read in the
    same statement (``providers.UNREAD`` otherwise, or when there is no such person)."""
    from minwon.registry import queries as registry

    index = cmd.applicant_index
    if ctx.actor.kind == ActorKind.CITIZEN:
        rows = _identity_index().rows(ctx.actor.id or 0)
        index = (rows[0][0] if rows else "") or ""
    if not index:
        return None, providers.UNREAD
    if not household:
        return registry.person_by_index(index), providers.UNREAD
    found = registry.person_with_household(index)
    return found if found is not None else (None, providers.UNREAD)


@functools.cache
def _identity_index() -> sql.Select:
    """A citizen's RRN blind index, read from their account (not taken from the command),
    precompiled: every online issuance reads it."""
    from minwon.accounts.models import User

    field = User._meta.get_field("identity_index")
    # Names come from the model's own metadata, never from input.
    return sql.Select(
        f'SELECT "{field.column}" FROM "{User._meta.db_table}" WHERE "id" = %s',  # noqa: S608
        [field],
    )


def _check_channel(cmd: IssueCertificate, ctx: Context) -> None:
    """Each kind of actor issues through its own channel only."""
    expected = {
        ActorKind.CITIZEN: Channel.ONLINE,
        ActorKind.STAFF: Channel.COUNTER,
        ActorKind.AGENCY: Channel.AGENCY,
        ActorKind.ANONYMOUS: Channel.KIOSK,
    }.get(ctx.actor.kind)
    if ctx.actor.kind == ActorKind.SYSTEM:
        return
    if expected is None or cmd.channel != expected:
        raise Forbidden(
            "이 경로로는 증명서를 발급할 수 없습니다.",
            "Certificates cannot be issued to this actor through this channel.",
            field="channel",
        )
    if cmd.channel == Channel.KIOSK and not (cmd.applicant_index and cmd.kiosk_id):
        raise Forbidden(
            "무인민원발급기에서는 본인 확인 후 발급합니다.",
            "A kiosk issues only after identity verification.",
            field="applicant_index",
        )


def _check_reveal(cmd: IssueCertificate, ctx: Context) -> None:
    """Full resident numbers on a certificate only for a person proven at the high level
    (공동인증서, 지문 at a kiosk): a code to a phone proves possession of the phone, not
    enough to hand out a household's numbers. A clerk checks an ID card face to face."""
    from minwon.accounts.identity import Assurance, assurance_of

    if not cmd.show_rrn_back or ctx.actor.kind not in (ActorKind.CITIZEN, ActorKind.ANONYMOUS):
        return
    level = cmd.assurance
    if ctx.actor.kind == ActorKind.CITIZEN:
        from minwon.accounts.models import User

        level = (
            User.objects.filter(pk=ctx.actor.id or 0)
            .values_list("identity_assurance", flat=True)
            .first()
            or ""
        )
    if not assurance_of(level).at_least(Assurance.HIGH):
        raise Forbidden(
            "주민등록번호 뒷자리 표시는 공동인증서·지문 등 높은 수준의 본인확인이 필요합니다. "
            "뒷자리를 가린 증명서를 발급하거나 민원실 창구를 이용하세요.",
            "Showing the back digits needs high-assurance identity proofing; issue a masked "
            "certificate or use a counter.",
            field="show_rrn_back",
            code="assurance_too_low",
        )


def _relation(
    cmd: IssueCertificate, ctx: Context, cert_type: CertType, subject: providers.Subject,
    applicant: int | None,
) -> Relation:  # fmt: skip
    spec = CATALOG[cert_type]
    if cmd.delegate_name.strip() or cmd.power_of_attorney.strip():
        if cmd.channel != Channel.COUNTER:
            raise _invalid(
                "위임장에 의한 대리 발급은 창구에서만 가능합니다.",
                "Issuing to a delegate with a power of attorney is possible at a counter only.",
                "delegate_name",
            )
        if not (cmd.delegate_name.strip() and cmd.power_of_attorney.strip()):
            field = "delegate_name" if not cmd.delegate_name.strip() else "power_of_attorney"
            raise _invalid(
                "대리인 성명과 위임장 확인 번호를 모두 입력하세요.",
                "Enter both the delegate's name and the power of attorney reference.",
                field,
            )
        if Relation.DELEGATE in spec.relations or Relation.PUBLIC in spec.relations:
            return Relation.DELEGATE
    if ctx.actor.kind == ActorKind.AGENCY:
        if not cmd.legal_basis.strip():
            raise _invalid(
                "기관 요청에는 법령 근거를 적어야 합니다.",
                "An agency request must cite its legal basis.",
                "legal_basis",
            )
        if Relation.AGENCY in spec.relations and ctx.allowed(AGENCY_ISSUE, subject.jurisdiction):
            return Relation.AGENCY
        raise Forbidden(
            "이 기관은 해당 증명서를 발급받을 권한이 없습니다.",
            "This agency may not obtain this certificate.",
            field="cert_type",
        )
    if applicant is not None and subject.person_id == applicant:
        return Relation.SELF
    if (
        Relation.HOUSEHOLD in spec.relations
        and applicant is not None
        and subject.person_id is not None
        and applicant in providers.household_person_ids(subject)
    ):
        return Relation.HOUSEHOLD
    if Relation.PUBLIC in spec.relations:
        return Relation.PUBLIC
    raise Forbidden(
        "본인, 세대원, 위임받은 대리인 또는 법령에 따른 기관만 발급받을 수 있습니다.",
        "Only the person, a household member, a delegate with a power of attorney or an "
        "agency authorised by law may obtain this certificate.",
        field="subject",
        code="not_eligible",
    )


#: Channels without a clerk: a card fee there is paid through the payment gateway only.
_SELF_SERVICE = frozenset({Channel.KIOSK, Channel.ONLINE})


def _payment(cmd: IssueCertificate, cert_type: CertType, relation: Relation) -> tuple[int, str]:
    fee = fee_for(cert_type, cmd.channel) or 0
    method = cmd.payment_method.strip()
    if fee == 0:
        if method not in ("", PaymentMethod.FREE, PaymentMethod.EXEMPT):
            raise _invalid(
                "수수료가 없는 발급입니다. 결제 방법을 비워 두세요.",
                "This issuance is free; leave the payment method empty.",
                "payment_method",
            )
        return 0, PaymentMethod.EXEMPT if relation == Relation.AGENCY else PaymentMethod.FREE
    if method not in (PaymentMethod.CARD, PaymentMethod.CASH):
        raise _invalid(
            f"수수료 {fee}원의 결제 방법(card 또는 cash)을 선택하세요.",
            f"Choose how the {fee} won fee is paid (card or cash).",
            "payment_method",
        )
    if method == PaymentMethod.CARD and not cmd.payment_order and cmd.channel in _SELF_SERVICE:
        # No clerk swipes the card at a kiosk or online: the charge is the gateway's approved
        # order (payments.checkout), linked by the subscriber, or there is no payment at all.
        raise _invalid(
            "카드 결제 내역이 없습니다. 수수료를 카드로 결제한 뒤 다시 발급하세요.",
            "No card payment was made; pay the fee by card, then issue again.",
            "payment_order",
        )
    if cmd.payment_order and method != PaymentMethod.CARD:
        raise _invalid(
            "카드로 결제한 수수료입니다. 결제 방법은 카드입니다.",
            "A card payment was given; the payment method is card.",
            "payment_method",
        )
    return fee, method


def _validate_options(cmd: IssueCertificate) -> None:
    if cmd.history_from and cmd.history_to and cmd.history_from > cmd.history_to:
        raise _invalid(
            "주소 변동 기간의 시작일이 종료일보다 늦습니다.",
            "The address history period starts after it ends.",
            "history_from",
        )
    if len(cmd.purpose) > 100:
        raise _invalid(
            "사용 목적은 100자 이내로 적으세요.", "Purpose: at most 100 characters.", "purpose"
        )
    if cmd.mode not in (Mode.NORMAL, Mode.CONTINUITY):
        raise _invalid("발급 모드가 올바르지 않습니다.", "Unknown issuing mode.", "mode")


@handler(IssueCertificate)
def issue_certificate(cmd: IssueCertificate, *, ctx: Context) -> dict[str, Any]:
    """See the module docstring; returns the document number and where to download it."""
    cert_type = _cert_type(cmd.cert_type)
    _validate_options(cmd)
    _check_channel(cmd, ctx)
    _check_reveal(cmd, ctx)
    if fee_for(cert_type, cmd.channel) is None:
        raise _invalid(
            f"{CATALOG[cert_type].title}은(는) 이 경로({cmd.channel})로 발급하지 않습니다.",
            f"{CATALOG[cert_type].title_en} is not issued through {cmd.channel}.",
            "channel",
        )
    mode = Mode(cmd.mode)
    if cmd.channel == Channel.COUNTER:
        ctx.require(ISSUE, cmd.jurisdiction)
    if mode == Mode.CONTINUITY:
        ctx.require(ISSUE_CONTINUITY, cmd.jurisdiction)
    # A 등본 or 초본 needs a household, usually the applicant's: read it with them.
    applicant_row, applicant_household = _applicant_person(
        cmd, ctx, household=cert_type in (CertType.RESIDENT_COPY, CertType.RESIDENT_ABSTRACT)
    )
    applicant = applicant_row.pk if applicant_row is not None else None
    subject = providers.resolve(
        cert_type, cmd.subject, applicant, known=applicant_row, known_household=applicant_household
    )
    relation = _relation(cmd, ctx, cert_type, subject, applicant)
    fee, method = _payment(cmd, cert_type, relation)
    options = cmd.options()
    data = providers.build(cert_type, subject, options)
    if subject.person_id is not None:
        # The subject and everyone else the document shows (a 등본's other members): one
        # access-log row each, written in one statement.
        what = f"certificate:{cert_type.value}"
        log_reads(
            actor=ctx.actor,
            channel=ctx.channel,
            purpose=f"증명서 발급({relation.value})",
            reads=[(str(pid), what) for pid in (subject.person_id, *data.also_shown)],
            jurisdiction=cmd.jurisdiction,
        )
    place = (
        subject.jurisdiction
        if cmd.channel in (Channel.ONLINE, Channel.AGENCY)
        else cmd.jurisdiction
    )
    if place == NATION:
        place = subject.jurisdiction
    issuer_code, issuer_name = _sigungu(place)
    signer = signer_for(issuer_code, mode=mode)
    number = new_document_number()
    code = new_verification_code()
    issued_at = clock.local(ctx.recorded_at)
    pdf = render.render(
        cert_type=cert_type, data=data, number=number, code=code, issued_at=issued_at,
        issuer_name=issuer_title(issuer_name), mode=mode, signer=signer,
    )  # fmt: skip
    summary = {
        "title": CATALOG[cert_type].title,
        "issuer": issuer_title(issuer_name),
        **data.summary,
    }
    issuance = Issuance(
        document_number=number,
        verification_code=code,
        cert_type=cert_type.value,
        subject_type=CATALOG[cert_type].subject_kind,
        subject_ref=subject.ref,
        subject_name=providers.masked_name(data.subject_name)
        if CATALOG[cert_type].subject_kind == "person"
        else data.subject_name,
        requester=str(ctx.actor),
        requester_index=cmd.applicant_index if ctx.actor.kind != ActorKind.CITIZEN else "",
        relation=relation.value,
        delegate_name=cmd.delegate_name.strip(),
        authority_reference=(cmd.power_of_attorney or cmd.legal_basis).strip(),
        channel=cmd.channel.value,
        jurisdiction_id=issuer_code,
        office=cmd.jurisdiction if cmd.channel in (Channel.COUNTER, Channel.KIOSK) else "",
        kiosk_id=cmd.kiosk_id,
        issued_at=issued_at,
        occurred_at=cmd.occurred_at,
        fee=fee,
        payment_method=method,
        options={k: (v.isoformat() if isinstance(v, date) else v) for k, v in options.items()},
        summary=summary,
        content_sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        signing_key_id=signer.key_id,
        mode=mode.value,
        command_id=cmd.command_id,
    )
    # The ledger row and its file: append-only inserts (AppendOnly.save forces an insert
    # too), in one precompiled statement on PostgreSQL.
    ledger.append(issuance, pdf)
    ledger.note(ctx, issuance)
    ctx.emit(
        CertificateIssued(
            document_number=number, cert_type=cert_type.value, channel=cmd.channel.value,
            jurisdiction=issuer_code, fee=fee, mode=mode.value, payment_order=cmd.payment_order,
        )
    )  # fmt: skip
    return {
        "document_number": number,
        "verification_code": code,
        "cert_type": cert_type.value,
        "fee": fee,
        "payment_method": method,
        "relation": relation.value,
        "download_url": f"/api/certificates/{number}/pdf",
        "issued_at": issued_at.isoformat(),
        "content_sha256": issuance.content_sha256,
    }


#: Ledger columns an edge sends with a continuity-mode certificate (the rest are derived).
LEDGER_FIELDS = (
    "document_number", "verification_code", "cert_type", "subject_type", "subject_ref",
    "subject_name", "requester", "requester_index", "relation", "delegate_name",
    "authority_reference", "channel", "jurisdiction_id", "office", "kiosk_id", "issued_at",
    "fee", "payment_method", "options", "summary", "content_sha256", "size",
    "signing_key_id", "mode",
)  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class EnterContinuityIssuance(Command):
    """소급 적용 of a certificate an office edge node issued in continuity mode.

    The citizen holds the document the edge signed, so central must record *that*
    document — same number, code and bytes — not issue a new one. The edge's journal
    entry for ``IssueCertificate`` is sent as this command (``minwon.continuity``) with
    the ledger row and the PDF as issued. Central accepts it only if the PDF is the one
    the row describes and the row names the continuity key central trusts for that
    시·군·구 today (a revoked or unknown key is refused and lands in the reconciliation
    queue)."""

    room_category = RoomCategory.ISSUANCES

    continuity = Continuity.LOCAL

    permission = ISSUE_CONTINUITY

    ledger: dict[str, Any]
    pdf_base64: str


def _signed_by(pdf: bytes, signer: Any) -> bool:
    """Does the PDF's own signature verify with ``signer``'s key? The signed attributes
    are a fixed function of the digest (``Signer.signed_attributes``), so the check is: hash
    the ``/ByteRange``, rebuild the attributes, verify the ECDSA signature in the CMS."""
    import re

    from asn1crypto import cms
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    match = re.search(rb"/ByteRange \[0 (\d+) (\d+) (\d+)\]", pdf)
    if match is None:
        return False
    start, end, tail = (int(g) for g in match.groups())
    if end + tail != len(pdf) or not 0 < start < end:
        return False
    digest = hashlib.sha256(pdf[:start] + pdf[end:]).digest()
    try:
        info = cms.ContentInfo.load(bytes.fromhex(pdf[start + 1 : end - 1].decode()))
        signature = info["content"]["signer_infos"][0]["signature"].native
        signer.certificate.public_key().verify(
            signature, signer.signed_attributes(digest), ec.ECDSA(hashes.SHA256())
        )
    except (ValueError, KeyError, IndexError, TypeError, InvalidSignature):
        return False
    return True


@handler(EnterContinuityIssuance)
def enter_continuity_issuance(cmd: EnterContinuityIssuance, *, ctx: Context) -> dict[str, Any]:
    """Check and append the edge's ledger row and file; returns what verification shows."""
    import base64
    import binascii
    from datetime import datetime

    row = {k: cmd.ledger.get(k) for k in LEDGER_FIELDS}
    try:
        pdf = base64.b64decode(cmd.pdf_base64, validate=True)
        issued_at = datetime.fromisoformat(str(row["issued_at"]))
    except (binascii.Error, ValueError, TypeError):
        raise _invalid(
            "발급 문서를 읽을 수 없습니다.", "Unreadable document.", "pdf_base64"
        ) from None
    if row["mode"] != Mode.CONTINUITY or cmd.channel != Channel.COUNTER:
        raise _invalid(
            "연속성 모드 창구 발급만 소급 등록할 수 있습니다.",
            "Only counter certificates issued in continuity mode can be entered.",
            "ledger",
        )
    issuer_code, issuer_name = _sigungu(cmd.jurisdiction)
    if row["jurisdiction_id"] != issuer_code or row["office"] != cmd.jurisdiction:
        raise Forbidden(
            "다른 기관의 발급 문서입니다.", "Issued by another office.", field="jurisdiction"
        )
    if hashlib.sha256(pdf).hexdigest() != row["content_sha256"] or len(pdf) != row["size"]:
        raise _invalid(
            "문서가 발급대장 내용과 다릅니다.", "The file does not match its ledger row.", "ledger"
        )
    trusted = signer_for(issuer_code, mode=Mode.CONTINUITY)
    if row["signing_key_id"] != trusted.key_id or not _signed_by(pdf, trusted):
        raise Forbidden(
            "신뢰하지 않는(폐지된) 연속성 서명 키입니다.",
            "Signed with a continuity key central does not trust (revoked or unknown).",
            field="ledger",
            code="untrusted_key",
        )
    _cert_type(str(row["cert_type"]))
    if not luhn_valid(str(row["document_number"])):
        raise _invalid("문서확인번호가 올바르지 않습니다.", "Bad document number.", "ledger")
    issuance = Issuance(
        **{k: v for k, v in row.items() if k != "issued_at"},
        issued_at=issued_at,
        occurred_at=cmd.occurred_at,
        command_id=cmd.command_id,
    )
    ledger.append(issuance, pdf)
    ledger.note(ctx, issuance)
    ctx.emit(
        CertificateIssued(
            document_number=issuance.document_number, cert_type=issuance.cert_type,
            channel=issuance.channel, jurisdiction=issuer_code, fee=issuance.fee,
            mode=Mode.CONTINUITY.value,
        )
    )  # fmt: skip
    return {
        "document_number": issuance.document_number,
        "issuer": issuer_title(issuer_name),
        "mode": Mode.CONTINUITY.value,
        "content_sha256": issuance.content_sha256,
    }

"""The certificate catalog: which types exist, on which channels, for whom, at what fee.

Fees follow the 2024 national schedule for these documents (수수료 규정 of 주민등록법
시행규칙, 공간정보관리법 시행규칙, 자동차등록규칙, 지방세징수법): free online (정부24)
where the state made it free, cheaper at an unmanned kiosk (무인민원발급기) than at the
counter, and free when an agency asks under a law (행정기관 요청 면제).

Who may get a document (``Rule``):
* ``self`` — the subject themself;
* ``household`` — a member of the subject's current household (주민등록법 §29②);
* ``delegate`` — someone holding the subject's power of attorney (위임장), checked by a
  clerk, so only at the counter;
* ``agency`` — an agency client citing the law that allows it (법령에 따른 요청);
* ``public`` — anyone (토지대장 is a public register).
"""

from __future__ import annotations

import dataclasses
import enum

from minwon.kernel.types import Channel


class CertType(enum.StrEnum):
    """제증명 종류."""

    RESIDENT_COPY = "resident_copy"  # 주민등록표 등본
    RESIDENT_ABSTRACT = "resident_abstract"  # 주민등록표 초본
    LAND_REGISTER = "land_register"  # 토지대장
    VEHICLE_REGISTER = "vehicle_register"  # 자동차등록원부(갑)
    BUSINESS_REPORT = "business_report"  # 영업신고증
    TAX_PAYMENT = "tax_payment"  # 지방세 납세증명서


class Relation(enum.StrEnum):
    """The requester's standing towards the subject, recorded in the ledger."""

    SELF = "self"
    HOUSEHOLD = "household"
    DELEGATE = "delegate"
    AGENCY = "agency"
    PUBLIC = "public"


@dataclasses.dataclass(frozen=True)
class CertSpec:
    code: CertType
    title: str
    title_en: str
    subject_kind: str  # person / parcel / vehicle / permit
    relations: frozenset[Relation]
    fees: dict[Channel, int]  # channels offered and their fee in won
    attestation: str


ISSUING_CHANNELS = (Channel.ONLINE, Channel.COUNTER, Channel.KIOSK, Channel.AGENCY)

_PERSONAL = frozenset({Relation.SELF, Relation.DELEGATE, Relation.AGENCY})

CATALOG: dict[CertType, CertSpec] = {
    spec.code: spec
    for spec in [
        CertSpec(
            CertType.RESIDENT_COPY, "주민등록표 (등본)", "Resident registration (household copy)",
            "person", _PERSONAL | {Relation.HOUSEHOLD},
            {Channel.ONLINE: 0, Channel.KIOSK: 200, Channel.COUNTER: 400, Channel.AGENCY: 0},
            "이 등본은 세대별 주민등록표의 원본 내용과 틀림없음을 증명합니다.",
        ),
        CertSpec(
            CertType.RESIDENT_ABSTRACT, "주민등록표 (초본)", "Resident registration (abstract)",
            "person", _PERSONAL | {Relation.HOUSEHOLD},
            {Channel.ONLINE: 0, Channel.KIOSK: 200, Channel.COUNTER: 400, Channel.AGENCY: 0},
            "이 초본은 개인별 주민등록표의 원본 내용과 틀림없음을 증명합니다.",
        ),
        CertSpec(
            CertType.LAND_REGISTER, "토지대장", "Land register",
            "parcel", frozenset({Relation.PUBLIC}),
            {Channel.ONLINE: 0, Channel.KIOSK: 400, Channel.COUNTER: 500, Channel.AGENCY: 0},
            "토지대장에 의하여 작성한 등본입니다.",
        ),
        CertSpec(
            CertType.VEHICLE_REGISTER, "자동차등록원부 (갑)", "Vehicle register (part A)",
            "vehicle", _PERSONAL,
            {Channel.ONLINE: 0, Channel.KIOSK: 200, Channel.COUNTER: 300, Channel.AGENCY: 0},
            "자동차등록원부(갑)의 기재 사항과 틀림없음을 증명합니다.",
        ),
        CertSpec(
            CertType.BUSINESS_REPORT, "영업신고증", "Business report certificate",
            "permit", _PERSONAL,
            {Channel.ONLINE: 0, Channel.COUNTER: 0, Channel.AGENCY: 0},
            "위와 같이 영업의 신고를 하였음을 증명합니다.",
        ),
        CertSpec(
            CertType.TAX_PAYMENT, "지방세 납세증명서", "Local tax payment certificate",
            "person", _PERSONAL,
            {Channel.ONLINE: 0, Channel.KIOSK: 0, Channel.COUNTER: 0, Channel.AGENCY: 0},
            "위의 납세자는 증명서 발급일 현재 체납액이 없음을 증명합니다.",
        ),
    ]
}  # fmt: skip


class PaymentMethod(enum.StrEnum):
    """수납 방법. ``free`` when the fee is nil, ``exempt`` for legal exemptions."""

    FREE = "free"
    CARD = "card"
    CASH = "cash"
    EXEMPT = "exempt"


def fee_for(cert_type: CertType, channel: Channel) -> int | None:
    """The fee in won, or None when the type is not issued on that channel."""
    return CATALOG[cert_type].fees.get(channel)


def issuer_title(name: str) -> str:
    """The head of an office as printed above the seal: 원주시 → 원주시장, 공주시 → 공주시장,
    완산구 → 완산구청장, ○○군 → ○○군수."""
    last = name.split()[-1] if name else ""
    if last.endswith("구"):
        return f"{last}청장"
    if last.endswith("군"):
        return f"{last}수"
    return f"{last}장"

"""Data providers: one per certificate type, each reading its subject through the owning
app's ``queries.py`` (registry, land, vehicles, licensing, tax) and returning the fields the
form prints. Providers never write; the issuing handler logs the personal-data access.

``resolve`` finds the subject and the person whose record it is (for eligibility);
``build`` turns it into ``FormData`` with the citizen's options applied.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from minwon.documents.catalog import CertType
from minwon.kernel import rrn
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.text import is_ascii_digits
from minwon.kernel.types import Actor

SYSTEM = Actor.system("documents")


@dataclasses.dataclass
class Table:
    title: str
    columns: list[tuple[str, float]]  # label, share of the width
    rows: list[list[str]]


@dataclasses.dataclass
class Subject:
    """What a certificate is about: its reference, the person whose record it is (owner,
    holder, taxpayer, resident) and the jurisdiction that keeps it."""

    ref: str
    person_id: int | None
    jurisdiction: str
    obj: Any
    #: ``registry.household_with_members`` of the person once read (eligibility and the
    #: 등본 both need it; one read per issuance); ``household_read`` says whether it was read.
    household: Any = dataclasses.field(default=None, repr=False, compare=False)
    household_read: bool = dataclasses.field(default=False, repr=False, compare=False)

    def household_and_members(self) -> Any:
        """The person's current household and its members (``None`` if none), read once."""
        from minwon.registry import queries as registry

        if not self.household_read and self.person_id is not None:
            self.household = registry.household_with_members(self.person_id)
        self.household_read = True
        return self.household


@dataclasses.dataclass
class FormData:
    """The variable part of a certificate."""

    subject_name: str
    fields: list[tuple[str, str]]
    tables: list[Table]
    summary: dict[str, str]
    #: Other persons whose records the document shows besides the subject (the other
    #: members on a 등본): each read is access-logged like the subject's.
    also_shown: list[int] = dataclasses.field(default_factory=list)


def masked_name(name: str) -> str:
    """홍길동 → 홍*동, 김민 → 김*: what verification shows of a person's name."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _rrn_text(person: Any, *, full: bool) -> str:
    number = rrn.decrypt(bytes(person.rrn_ciphertext), person.rrn_index)
    return number if full else rrn.mask(number)


def _day(value: date | None) -> str:
    return value.strftime("%Y.%m.%d") if value else ""


#: ``known_household`` when the requester's household was not read with them.
UNREAD: Any = object()


def _person_id(subject: str, requester_person_id: int | None) -> int:
    if subject in ("", "self"):
        if requester_person_id is None:
            raise ValidationFailed(
                "본인 확인 정보로 주민등록 기록을 찾을 수 없습니다.",
                "No resident record matches the requester's identity.",
                field="subject",
            )
        return requester_person_id
    if not is_ascii_digits(subject):
        raise ValidationFailed(
            "대상은 'self' 또는 주민 번호(숫자)여야 합니다.",
            "The subject must be 'self' or a person id.",
            field="subject",
        )
    return int(subject)


def _resident(subject: str, requester_person_id: int | None, known: Any, household: Any) -> Subject:
    """The person a register certificate is about. What the caller read already in this
    transaction is used, not read again: the requester's own record (``known``) and, when
    read with it, their household (``household``, or ``UNREAD``). A subject who is a current
    member of that household has it as theirs too (one open membership per person)."""
    from minwon.registry import queries as registry

    pid = _person_id(subject, requester_person_id)
    person = None
    if known is not None and known.pk == pid:
        person = known
    elif household is not UNREAD and household is not None:
        person = next((m.person for m in household[1] if m.person_id == pid), None)
    if person is None:
        person = registry.persons_by_ids([pid]).get(pid)
        if person is None:
            raise NotFound("대상 주민을 찾을 수 없습니다.", "Person not found.", field="subject")
        household = UNREAD
    found = Subject(str(person.pk), person.pk, person.jurisdiction_id, person)
    if household is not UNREAD:
        found.household, found.household_read = household, True
    return found


def resolve(
    cert_type: CertType,
    subject: str,
    requester_person_id: int | None,
    *,
    known: Any = None,
    known_household: Any = UNREAD,
) -> Subject:
    """Find the subject of a request (400/404 naming ``subject`` when it cannot).
    ``known`` is the requester's ``Person`` when the caller has read it already, and
    ``known_household`` their ``registry.household_with_members`` if read with it."""
    subject = (subject or "").strip()
    if cert_type in (CertType.RESIDENT_COPY, CertType.RESIDENT_ABSTRACT, CertType.TAX_PAYMENT):
        return _resident(subject, requester_person_id, known, known_household)
    if cert_type == CertType.LAND_REGISTER:
        from minwon.land import queries as land

        match = re.fullmatch(r"(\d{10})([12])(\d{4})(\d{4})", subject)
        if not match:
            raise ValidationFailed(
                "토지 고유번호(19자리)를 입력하세요.",
                "Enter the 19-digit parcel number (PNU).",
                field="subject",
            )
        code, mountain, main, sub = match.groups()
        parcel = land.parcel_by_lot(code, int(main), int(sub), mountain=mountain == "2")
        if parcel is None:
            raise NotFound("필지를 찾을 수 없습니다.", "Parcel not found.", field="subject")
        return Subject(parcel.pnu, parcel.owner_id, parcel.jurisdiction_id, parcel)
    if cert_type == CertType.VEHICLE_REGISTER:
        from minwon.vehicles import queries as vehicles

        vehicle = vehicles.vehicles_for(SYSTEM).filter(plate=subject.replace(" ", "")).first()
        if vehicle is None:
            raise NotFound(
                "자동차등록번호로 차량을 찾을 수 없습니다.", "Vehicle not found.", field="subject"
            )
        return Subject(vehicle.plate, vehicle.owner_id, vehicle.jurisdiction_id, vehicle)
    from minwon.licensing import queries as licensing

    permit = licensing.permits_for(SYSTEM).filter(number=subject).first()
    if permit is None:
        raise NotFound("신고번호로 영업을 찾을 수 없습니다.", "Permit not found.", field="subject")
    return Subject(permit.number, permit.holder_id, permit.jurisdiction_id, permit)


def household_person_ids(subject: Subject) -> set[int]:
    """Ids of the current members of the subject's household (the subject included)."""
    found = subject.household_and_members()
    if found is None:
        return {subject.person_id} if subject.person_id is not None else set()
    return {m.person_id for m in found[1]}


def _period(options: dict[str, Any]) -> tuple[date | None, date | None]:
    return options.get("history_from"), options.get("history_to")


def _history_rows(person: Any, options: dict[str, Any]) -> list[list[str]]:
    from minwon.registry import queries as registry

    start, end = _period(options)
    rows = []
    for res in registry.address_history(person):
        if start and (res.moved_out_on or date.max) < start:
            continue
        if end and res.moved_in_on > end:
            continue
        rows.append(
            [
                res.get_reason_display(),
                f"{res.road_address} {res.address_detail}".strip(),
                _day(res.moved_in_on),
                _day(res.reported_on),
            ]
        )
    return rows


_HISTORY_COLUMNS = [("변동 사유", 0.14), ("주소", 0.58), ("전입일", 0.14), ("신고일", 0.14)]


def _resident_copy(subject: Subject, options: dict[str, Any]) -> FormData:
    person = subject.obj
    found = subject.household_and_members()
    if found is None:
        raise Conflict(
            "현재 세대가 없어 등본을 발급할 수 없습니다 (사망·국외이주·말소).",
            "The person has no current household, so no household copy can be issued.",
            field="subject",
        )
    household, members = found
    head = household.head
    full = bool(options.get("show_rrn_back"))
    relationship = options.get("include_relationship", True)
    rows = [
        [
            m.get_relationship_display() if relationship else "",
            m.person.name,
            _rrn_text(m.person, full=full),
            _day(m.joined_on),
            "",
        ]
        for m in members
    ]
    tables = [
        Table(
            "세대 구성원",
            [("세대주와의 관계", 0.18), ("성명", 0.2), ("주민등록번호", 0.26), ("전입일", 0.18), ("비고", 0.18)],
            rows,
        )
    ]  # fmt: skip
    if options.get("include_history"):
        tables.append(
            Table("주소 변동 사항", _HISTORY_COLUMNS, _history_rows(head or person, options))
        )
    return FormData(
        subject_name=person.name,
        fields=[
            ("세대주 성명", head.name if head else ""),
            ("세대 구성 일자", _day(household.formed_on)),
            ("주소", household.full_address),
            ("세대원 수", f"{len(members)}명"),
        ],
        tables=tables,
        summary={"세대주": masked_name(head.name if head else ""), "세대원 수": str(len(members))},
        also_shown=[m.person_id for m in members if m.person_id != person.pk],
    )


def _resident_abstract(subject: Subject, options: dict[str, Any]) -> FormData:
    person = subject.obj
    fields = [
        ("성명", person.name),
        ("주민등록번호", _rrn_text(person, full=bool(options.get("show_rrn_back")))),
    ]
    if options.get("include_relationship", True):
        found = subject.household_and_members()
        member = next((m for m in found[1] if m.person_id == person.pk), None) if found else None
        head = found[0].head if found else None
        fields.append(("세대주 성명", head.name if head else ""))
        fields.append(("세대주와의 관계", member.get_relationship_display() if member else ""))
    start, end = _period(options)
    fields.append(("주소 변동 기간", f"{_day(start) or '최초'} ~ {_day(end) or '현재'}"))
    return FormData(
        subject_name=person.name,
        fields=fields,
        tables=[Table("주소 변동 사항", _HISTORY_COLUMNS, _history_rows(person, options))],
        summary={"성명": masked_name(person.name)},
    )


def _land_register(subject: Subject, options: dict[str, Any]) -> FormData:
    from minwon.land import queries as land

    parcel = subject.obj
    owners = [
        [_day(o.from_on), o.cause, o.owner.name, _day(o.to_on)] for o in land.owner_history(parcel)
    ]
    prices = [[str(p.year), f"{p.won_per_m2:,}"] for p in land.land_prices(parcel)]
    return FormData(
        subject_name=parcel.lot_label,
        fields=[
            ("고유번호", parcel.pnu),
            ("토지 소재", parcel.lot_label),
            ("지목", parcel.get_category_display()),
            ("면적(㎡)", f"{parcel.area_m2:,}"),
            ("소유자", parcel.owner.name),
        ],
        tables=[
            Table("소유자 변동", [("변동일자", 0.2), ("변동 원인", 0.25), ("성명", 0.3), ("종료일", 0.25)], owners),
            Table("개별공시지가", [("기준연도", 0.4), ("공시지가(원/㎡)", 0.6)], prices),
        ],
        summary={"토지 소재": parcel.lot_label, "고유번호": parcel.pnu},
    )  # fmt: skip


def _vehicle_register(subject: Subject, options: dict[str, Any]) -> FormData:
    from minwon.vehicles import queries as vehicles

    vehicle = subject.obj
    owner = vehicle.owner
    history = [
        [_day(o.from_on), o.cause, o.owner.name, _day(o.to_on)]
        for o in vehicles.ownership_history(vehicle)
    ]
    return FormData(
        subject_name=vehicle.plate,
        fields=[
            ("자동차등록번호", vehicle.plate),
            ("차대번호", vehicle.vin),
            ("차명", vehicle.model_name),
            ("차종", vehicle.kind),
            ("연식", str(vehicle.model_year)),
            ("최초등록일", _day(vehicle.registered_on)),
            ("소유자", owner.name),
            ("주민등록번호", _rrn_text(owner, full=False)),
            ("사용본거지", vehicle.base_address),
        ],
        tables=[
            Table("소유권 변동", [("일자", 0.2), ("원인", 0.25), ("소유자", 0.3), ("상실일", 0.25)], history),
        ],
        summary={"자동차등록번호": vehicle.plate, "소유자": masked_name(owner.name)},
    )  # fmt: skip


def _business_report(subject: Subject, options: dict[str, Any]) -> FormData:
    permit = subject.obj
    if permit.status != "active":
        raise Conflict(
            f"영업 상태가 '{permit.get_status_display()}'이어서 영업신고증을 발급할 수 없습니다.",
            "The business is not active, so no report certificate can be issued.",
            field="subject",
            code="permit_not_active",
        )
    holder = permit.holder
    return FormData(
        subject_name=permit.business_name,
        fields=[
            ("신고번호", permit.number),
            ("대표자", holder.name),
            ("생년월일", _day(holder.birth_date)),
            ("영업소 명칭", permit.business_name),
            ("영업소 소재지", permit.road_address),
            ("영업의 종류", permit.get_kind_display()),
            ("신고 일자", _day(permit.granted_on)),
        ],
        tables=[],
        summary={"영업소 명칭": permit.business_name, "대표자": masked_name(holder.name)},
    )


def _tax_payment(subject: Subject, options: dict[str, Any]) -> FormData:
    from minwon.registry import queries as registry
    from minwon.tax import queries as tax

    person = subject.obj
    arrears = tax.arrears_of(person.pk)
    if arrears:
        total = sum(b.amount for b in arrears)
        raise Conflict(
            f"체납액 {total:,}원({len(arrears)}건)이 있어 납세증명서를 발급할 수 없습니다. "
            "체납액을 납부한 뒤 다시 신청하세요.",
            f"Local tax arrears of {total:,} won ({len(arrears)} bills): no payment "
            "certificate can be issued until they are paid.",
            field="subject",
            code="tax_arrears",
            details={"arrears_total": total, "arrears_count": len(arrears)},
        )
    address = registry.current_address(person.pk)
    purpose = str(options.get("purpose") or "기타")
    return FormData(
        subject_name=person.name,
        fields=[
            ("납세자 성명", person.name),
            ("주민등록번호", _rrn_text(person, full=False)),
            ("주소", address.full if address else ""),
            ("증명서 사용 목적", purpose),
            ("체납액", "없음"),
            ("유효기간", "발급일로부터 30일"),
        ],
        tables=[],
        summary={"납세자": masked_name(person.name), "체납액": "없음"},
    )


BUILDERS: dict[CertType, Callable[[Subject, dict[str, Any]], FormData]] = {
    CertType.RESIDENT_COPY: _resident_copy,
    CertType.RESIDENT_ABSTRACT: _resident_abstract,
    CertType.LAND_REGISTER: _land_register,
    CertType.VEHICLE_REGISTER: _vehicle_register,
    CertType.BUSINESS_REPORT: _business_report,
    CertType.TAX_PAYMENT: _tax_payment,
}


def build(cert_type: CertType, subject: Subject, options: dict[str, Any]) -> FormData:
    return BUILDERS[cert_type](subject, options)

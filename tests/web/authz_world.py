"""The records and callers of the authorisation matrix (``test_authz_matrix`` and
``test_authz_refusals``): records of 원주시, 공주시 and 전주시 built through commands, every
role of 원주시, a resident citizen who filed applications in all three cities, a stranger
citizen and an anonymous caller, each with a logged-in test client; the oracle of who may
read what; and the normalisation that lets two refusals be compared byte for byte. The
``world`` fixture (``conftest.py``) builds them once per test module.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from typing import Any

from django.test import Client

from minwon.accounts.commands import CreateStaffAccount, GrantRole, SignUpCitizen
from minwon.accounts.models import User
from minwon.accounts.permissions import clear_cache
from minwon.documents.commands import IssueCertificate
from minwon.kernel import clock, execute, jurisdictions, rrn
from minwon.kernel.types import NATION, Actor, ActorKind, Channel
from minwon.land.commands import RegisterParcel
from minwon.licensing.commands import GrantPermit
from minwon.notices.commands import SendNotice
from minwon.notices.models import InboxMessage
from minwon.petitions import catalog
from minwon.petitions.commands import ApplicationItem, LoadPetitionCatalog, SubmitApplication
from minwon.registry.queries import household_of
from minwon.tax.commands import IssueTaxBill
from minwon.vehicles.commands import RegisterVehicle
from tests.conftest import GONGJU, JEONJU, WONJU, enrol_kiosk, password_hash
from tests.registry import factories

SYSTEM = Actor.system("matrix")
CITIES = {"wonju": WONJU, "gongju": GONGJU, "jeonju": JEONJU}
DONGS = {"wonju": "5113055000", "gongju": "4415057000", "jeonju": "5211151000"}
ADDRESSES = {
    "wonju": "강원특별자치도 원주시 단구로 170",
    "gongju": "충청남도 공주시 신관로 10",
    "jeonju": "전북특별자치도 전주시 완산구 팔달로 1",
}
PLATES = {"wonju": "11가1111", "gongju": "22나2222", "jeonju": "33다3333", "mover": "44라4444"}
ROLES = ("counter_clerk", "officer", "department_head", "auditor", "operator", "sysadmin")
CALLERS = (*ROLES, "resident", "stranger", "anonymous")

# Which roles read which kind of record (in their own jurisdiction only): the role table
# of accounts.permissions, written out so that a change to it shows up here.
REGISTRY_READERS = {"counter_clerk", "officer", "department_head", "auditor", "sysadmin"}
REGISTER_READERS = {"counter_clerk", "officer", "department_head", "sysadmin"}
READERS: dict[str, set[str]] = {
    "person": REGISTRY_READERS,
    "household": REGISTRY_READERS,
    # the counter pages that change a household (registry.household) or record a death or
    # an emigration (registry.status): read with the permission of the change
    "household_change": {"counter_clerk", "sysadmin"},
    "person_status": {"counter_clerk", "officer", "sysadmin"},
    "petition": REGISTRY_READERS,
    "application": REGISTRY_READERS,  # and the resident, who filed them all
    "tax_bill": REGISTER_READERS,
    "vehicle": REGISTER_READERS,
    "parcel": REGISTER_READERS,
    "permit": REGISTER_READERS,
    "certificate": REGISTRY_READERS,
    "incident": {"operator", "sysadmin"},
    "notice": set(),  # the resident's own, and nobody else's
    # 전자고지 campaigns, their notices and print batches (notices.read in the office)
    "campaign": {"counter_clerk", "officer", "department_head", "operator", "sysadmin"},
    "staff_notice": {"counter_clerk", "officer", "department_head", "operator", "sysadmin"},
    "print_batch": {"counter_clerk", "officer", "department_head", "operator", "sysadmin"},
    # an integrated-search hit on a person, opened from the portal (portal.use + registry.read)
    "search_hit": REGISTRY_READERS,
    # a registered kiosk device, on its administrator's screen (accounts.kiosks)
    "kiosk_device": {"sysadmin"},
    # a staff account on the administration screens (accounts.manage over its office)
    "staff_account": {"sysadmin"},
    # 자동취합: a city's campaign (portal.campaign_manage), its 동's answer form (…_answer)
    "collect_campaign": {"officer", "department_head", "sysadmin"},
    "collect_answer": {"counter_clerk", "officer", "department_head", "sysadmin"},
    # a file handed in with a petition (petitions.read over the petition, and its applicant)
    "attachment": REGISTRY_READERS,
    # 알림함: a message addressed to one staff member (the officer's, in 원주): theirs alone
    "staff_message": {"officer"},
    # 수수료 환불: a card payment taken in the office (payments.refund over it)
    "payment": {"counter_clerk", "department_head", "sysadmin"},
}
ROOM_READERS = {"operator", "sysadmin"}
#: kinds whose records show a person's data: a staff read of one writes the access log
PERSONAL = {"person", "household", "tax_bill", "vehicle", "parcel", "permit", "application",
            "petition", "certificate", "household_change", "person_status",
            "attachment"}  # fmt: skip
ABSENT = {"int": "987654321", "receipt_number": "20260309-9999999", "document_number": ""}


@dataclasses.dataclass
class World:
    clients: dict[str, Client]
    users: dict[str, User]
    #: kind -> city -> the key a URL names the record by
    records: dict[str, dict[str, str]]
    mover_id: int
    mover_bills: dict[str, str]
    mover_plate: str


def _staff(role: str, scope: str, name: str = "") -> User:
    name = name or f"matrix-{role}-{scope}"
    user_id = execute(
        CreateStaffAccount(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=scope, username=name,
            display_name=name, password_hash=password_hash(),
        )
    ).value["user_id"]  # fmt: skip
    execute(
        GrantRole(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=scope, user_id=user_id, role=role
        )
    )
    return User.objects.get(pk=user_id)


def _citizen(number: str, name: str, username: str) -> User:
    user_id = execute(
        SignUpCitizen(
            actor=Actor.anonymous(), channel=Channel.ONLINE, jurisdiction=NATION,
            username=f"matrix-{username}", display_name=name, password_hash=password_hash(),
            sealed_rrn=rrn.SealedRRN.from_text(number), identity_method="demo",
        )
    ).value["user_id"]  # fmt: skip
    return User.objects.get(pk=user_id)


def _bill(person_id: int, city: str, amount: int) -> str:
    value = execute(
        IssueTaxBill(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=CITIES[city],
            taxpayer_id=person_id, item="resident", period="2026 2기", amount=amount,
            due_on=clock.now().date() + timedelta(days=20),
        )
    ).value  # fmt: skip
    return str(value["bill_id"])


def _vehicle(owner: Any, plate: str) -> str:
    value = execute(
        RegisterVehicle(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=owner.jurisdiction_id,
            plate=plate, vin=f"KMHD{owner.pk:013d}", model_name="아반떼", model_year=2021,
            owner_id=owner.pk, registered_on=date(2021, 5, 1),
        )
    ).value  # fmt: skip
    return str(value["vehicle_id"])


def _certificate(number: str, city: str) -> str:
    """A 등본 issued at a kiosk of ``city`` to the resident holding ``number``."""
    value = execute(
        IssueCertificate(
            actor=Actor.anonymous(), channel=Channel.KIOSK, jurisdiction=CITIES[city],
            cert_type="resident_copy", kiosk_id=f"{city}-k1", payment_method="cash",
            applicant_index=rrn.blind_index(rrn.parse(number)),
        )
    ).value  # fmt: skip
    return str(value["document_number"])


def _attachment(resident: User, city: str) -> str:
    """A 대형폐기물 배출 신고 with its photo, filed by the resident in ``city``."""
    from minwon.petitions import files
    from minwon.petitions.models import Attachment

    photo = files.store(
        f"%PDF-1.4\n% {city}\n%%EOF\n".encode(), kind="application/pdf",
        file_name=f"{city} 소파.pdf", document="배출 품목 사진",
    )  # fmt: skip
    receipt = execute(
        SubmitApplication(
            actor=Actor(ActorKind.CITIZEN, resident.pk, resident.username),
            channel=Channel.ONLINE, jurisdiction=CITIES[city],
            items=[ApplicationItem(type_code="LARGE_WASTE", form={"items": 1}, attachments=[photo])],
        )
    ).value["receipt_number"]  # fmt: skip
    return str(Attachment.objects.get(petition__application__receipt_number=receipt).pk)


def _campaign(city: str, records: dict[str, dict[str, str]]) -> None:
    """The city's 주민세 campaign over its bill, one notice and its print batch."""
    from minwon.notices.campaigns import IssueTaxCampaign, QueuePaperBatch
    from minwon.notices.models import Notice

    campaign = execute(
        IssueTaxCampaign(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=CITIES[city], item="resident",
            period="2026 2기", paper_after_hours=1,
        )
    ).value["campaign_id"]  # fmt: skip
    records["campaign"][city] = str(campaign)
    records["staff_notice"][city] = str(Notice.objects.filter(campaign_id=campaign).first().pk)  # type: ignore[union-attr]
    with clock.frozen_at(clock.now() + timedelta(hours=2)):
        batch = execute(
            QueuePaperBatch(
                actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=CITIES[city],
                campaign_id=campaign,
            )
        ).value["batch_id"]  # fmt: skip
    records["print_batch"][city] = f"{campaign}/{batch}"


def _collection(city: str, records: dict[str, dict[str, str]]) -> None:
    """The city's 자동취합 campaign, sent to its 동 and open now."""
    from minwon.portal.commands import CreateCampaign, RecipientSpec
    from minwon.portal.models import Recipient

    now = clock.now()
    campaign = execute(
        CreateCampaign(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=CITIES[city], title=f"{city} 현황",
            definition={"fields": [{"key": "count", "label": "건수", "type": "number"}]},
            recipients=[RecipientSpec(jurisdiction=DONGS[city])],
            opens_at=now - timedelta(hours=1), deadline_at=now + timedelta(days=7),
        )
    ).value["campaign_id"]  # fmt: skip
    records["collect_campaign"][city] = str(campaign)
    recipient = Recipient.objects.get(campaign_id=campaign)
    records["collect_answer"][city] = f"{campaign}/{recipient.pk}"


def _payment(city: str, records: dict[str, dict[str, str]], resident: User) -> None:
    """A fee the resident paid by card online to ``city`` (approved by the demo gateway)."""
    import uuid

    from minwon.payments.commands import RecordPayment
    from minwon.payments.providers import Card, DemoCardProvider

    order = uuid.uuid4().hex
    approval = DemoCardProvider().authorise(
        order_key=order, amount=3000, card=Card.parse("4111111111111111", "12/99")
    )
    paid = execute(
        RecordPayment(
            actor=Actor(ActorKind.CITIZEN, resident.pk, resident.username),
            channel=Channel.ONLINE, jurisdiction=CITIES[city], order_key=order, amount=3000,
            provider="demo", approval_number=approval.approval_number,
            card_brand=approval.brand, card_last4=approval.last4,
        )
    ).value  # fmt: skip
    from minwon.payments.models import Payment

    records["payment"][city] = str(Payment.objects.get(order_key=paid["order_key"]).pk)


def _staff_message(city: str, records: dict[str, dict[str, str]], user_id: int) -> None:
    """A 자동취합 reminder in the 알림함 of ``user_id``: a campaign the city sends to its own
    office, reminded at its opening."""
    from minwon.portal.commands import CreateCampaign, RecipientSpec, SendCampaignReminders

    now = clock.now()
    campaign = execute(
        CreateCampaign(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=CITIES[city], title=f"{city} 알림",
            definition={"fields": [{"key": "count", "label": "건수", "type": "number"}]},
            recipients=[RecipientSpec(jurisdiction=CITIES[city])],
            opens_at=now - timedelta(hours=1), deadline_at=now + timedelta(days=7),
        )
    ).value["campaign_id"]  # fmt: skip
    execute(
        SendCampaignReminders(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=CITIES[city],
            campaign_id=campaign, occasion="opening",
        )
    )  # fmt: skip
    message = InboxMessage.objects.get(recipient_user_id=user_id, subject__contains=f"{city} 알림")
    records["staff_message"][city] = str(message.pk)


def build() -> World:
    from minwon.kernel.management.commands.load_jurisdictions import load

    load()
    jurisdictions.clear_cache()
    clear_cache()
    data = catalog.read()
    execute(
        LoadPetitionCatalog(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION,
            version=data["version"], types=data["types"],
        )
    )  # fmt: skip
    users = {role: _staff(role, WONJU) for role in ROLES}
    staff_accounts = {
        city: str(_staff("counter_clerk", code, f"matrix-member-{city}").pk)
        for city, code in CITIES.items()
    }
    resident_rrn = factories.new_rrn("800101", "1")
    records: dict[str, dict[str, str]] = {kind: {} for kind in READERS}
    records["staff_account"] = staff_accounts
    resident = _citizen(resident_rrn, "주민", "resident")
    users["resident"] = resident
    users["stranger"] = _citizen(factories.new_rrn("810101", "2"), "타인", "stranger")
    for n, city in enumerate(CITIES):
        number = resident_rrn if city == "wonju" else factories.new_rrn("820101", "1")
        person = factories.register(
            "매트릭스", number=number, code=DONGS[city], address=ADDRESSES[city]
        )
        records["certificate"][city] = _certificate(number, city)
        household = household_of(person)
        assert household is not None
        records["person"][city] = str(person.pk)
        records["search_hit"][city] = f"person/{person.pk}"
        records["household"][city] = str(household.pk)
        records["household_change"][city] = str(household.pk)
        records["person_status"][city] = str(person.pk)
        records["tax_bill"][city] = _bill(person.pk, city, 100_000 + n)
        records["vehicle"][city] = _vehicle(person, PLATES[city])
        records["permit"][city] = str(
            execute(
                GrantPermit(
                    actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=CITIES[city],
                    kind="online_sales", holder_id=person.pk, business_name=f"{city}상회",
                    road_address=ADDRESSES[city], granted_on=date(2024, 3, 1),
                )
            ).value["permit_id"]
        )  # fmt: skip
        records["parcel"][city] = str(
            execute(
                RegisterParcel(
                    actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=CITIES[city],
                    legal_dong_code=DONGS[city], legal_dong_name="동", main_no=100 + n,
                    category="대", area_m2="330.5", owner_id=person.pk,
                    acquired_on=date(2010, 3, 1),
                )
            ).value["parcel_id"]
        )  # fmt: skip
        receipt = execute(
            SubmitApplication(
                actor=Actor(ActorKind.CITIZEN, resident.pk, resident.username),
                channel=Channel.ONLINE, jurisdiction=CITIES[city],
                items=[ApplicationItem(type_code="GRIEVANCE", form={"content": "가로등 고장"})],
            )
        ).value["receipt_number"]  # fmt: skip
        records["application"][city] = receipt
        records["petition"][city] = f"{receipt}/1"
        records["attachment"][city] = _attachment(resident, city)
        records["kiosk_device"][city] = enrol_kiosk(CITIES[city], name=f"{city} 민원실 1번")[0]
    # A resident of 공주 with a 공주 bill and vehicle who moved to 원주 (the issue's case).
    mover = factories.register("전입자", code=DONGS["gongju"], address=ADDRESSES["gongju"])
    mover_plate = PLATES["mover"]
    _vehicle(mover, mover_plate)
    bills = {"gongju": _bill(mover.pk, "gongju", 200_001)}
    factories.move_in([(mover, "head")], code=factories.MUSIL)
    bills["wonju"] = _bill(mover.pk, "wonju", 200_002)
    for city in CITIES:
        execute(
            SendNotice(
                actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=CITIES[city],
                recipient_index=resident.identity_index, category="civil_defence",
                subject=f"{city} 민방위 교육 통지", body="교육",
            )
        )  # fmt: skip
        records["notice"][city] = str(
            InboxMessage.objects.get(subject=f"{city} 민방위 교육 통지").pk
        )
    for city in CITIES:
        _campaign(city, records)
        _collection(city, records)
        addressee = users["officer"].pk if city == "wonju" else int(staff_accounts[city])
        _staff_message(city, records, addressee)
        _payment(city, records, resident)
    clients = {}
    for name in CALLERS:
        client = Client()
        if name in users:
            client.force_login(users[name])
        clients[name] = client
    return World(clients, users, records, mover.pk, bills, mover_plate)


def readable(caller: str, kind: str, city: str) -> bool:
    """Whether ``caller`` may read the record of ``kind`` in ``city`` (the oracle)."""
    if kind in ("application", "notice", "attachment") and caller == "resident":
        return True
    return city == "wonju" and caller in READERS[kind]


def absent_status(caller: str, kind: str) -> int:
    """What asking for a record that does not exist answers."""
    if caller == "anonymous":
        return 401
    if kind == "incident" and caller not in ROOM_READERS:
        return 403
    return 404


# --- normalising what may differ between two refusals --------------------------------------

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def _body(response: Any, path: str) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return response.content.decode()
    text = response.content.decode()
    text = _CSRF.sub(r'\1-"', text)
    from urllib.parse import quote

    return text.replace(quote(path, safe=""), "<path>").replace(path, "<path>")


def same_refusal(a: Any, a_path: str, b: Any, b_path: str) -> bool:
    return a.status_code == b.status_code and _body(a, a_path) == _body(b, b_path)


def schema_of(world: World) -> dict[str, Any]:
    response = world.clients["anonymous"].get("/api/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema

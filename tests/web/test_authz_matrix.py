"""The authorisation matrix (DESIGN §3.6), generated from what the system serves: every
read operation of the OpenAPI schema (``/api/openapi.json``) and every page of the URL
conf, asked by every role of 원주시, a resident citizen, a stranger citizen and an
anonymous caller, about records of 원주시, 공주시 and 전주시.

A caller reads a record only where its role and jurisdiction allow; anywhere else the
answer is exactly the answer for a record that does not exist (status and body). Lists hold
only what is in scope. Writes by anonymous callers, citizens and staff out of scope are
refused and change no row. Pages and the API give the same answer for the same read.

The records are built once for the module through commands, inside one transaction that
is rolled back at the end (Django's ``TestCase`` class-level atomics); each test runs in
its own savepoint on top.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver

from minwon.accounts.commands import CreateStaffAccount, GrantRole, SignUpCitizen
from minwon.accounts.models import User
from minwon.accounts.permissions import clear_cache
from minwon.documents import signing
from minwon.documents.commands import IssueCertificate
from minwon.kernel import clock, execute, jurisdictions, rrn
from minwon.kernel.models import AccessLog
from minwon.kernel.types import NATION, Actor, ActorKind, Channel
from minwon.land.commands import RegisterParcel
from minwon.licensing.commands import GrantPermit
from minwon.notices.commands import SendNotice
from minwon.notices.models import InboxMessage
from minwon.petitions import catalog
from minwon.petitions.commands import ApplicationItem, LoadPetitionCatalog, SubmitApplication
from minwon.petitions.commands.workflow import ACTIONS
from minwon.registry.queries import household_of
from minwon.tax.commands import IssueTaxBill
from minwon.vehicles.commands import RegisterVehicle
from tests.conftest import GONGJU, JEONJU, WONJU, password_hash
from tests.registry import factories

pytestmark = pytest.mark.django_db

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
    "petition": REGISTRY_READERS,
    "application": REGISTRY_READERS,  # and the resident, who filed them all
    "tax_bill": REGISTER_READERS,
    "vehicle": REGISTER_READERS,
    "parcel": REGISTER_READERS,
    "permit": REGISTER_READERS,
    "certificate": REGISTRY_READERS,
    "incident": {"operator", "sysadmin"},
    "notice": set(),  # the resident's own, and nobody else's
}
ROOM_READERS = {"operator", "sysadmin"}
#: kinds whose records show a person's data: a staff read of one writes the access log
PERSONAL = {"person", "household", "tax_bill", "vehicle", "parcel", "permit", "application",
            "petition", "certificate"}  # fmt: skip
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


def _staff(role: str, scope: str) -> User:
    name = f"matrix-{role}-{scope}"
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
            cert_type="resident_copy", kiosk_id=f"{city}-k1", payment_method="card",
            applicant_index=rrn.blind_index(rrn.parse(number)),
        )
    ).value  # fmt: skip
    return str(value["document_number"])


def _build() -> World:
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
    resident_rrn = factories.new_rrn("800101", "1")
    records: dict[str, dict[str, str]] = {kind: {} for kind in READERS}
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
        records["household"][city] = str(household.pk)
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
    clients = {}
    for name in CALLERS:
        client = Client()
        if name in users:
            client.force_login(users[name])
        clients[name] = client
    return World(clients, users, records, mover.pk, bills, mover_plate)


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as env:
        env.setenv("MINWON_KEYS_DIR", str(tmp_path_factory.mktemp("matrix-keys")))
        env.setenv("MINWON_PUBLIC_URL", "https://minwon.example.kr")
        signing.reset_cache()
        atomics = TestCase._enter_atomics()
        try:
            yield _build()
        finally:
            TestCase._rollback_atomics(atomics)
            signing.reset_cache()


def readable(caller: str, kind: str, city: str) -> bool:
    """Whether ``caller`` may read the record of ``kind`` in ``city`` (the oracle)."""
    if kind in ("application", "notice") and caller == "resident":
        return True
    return city == "wonju" and caller in READERS[kind]


def _absent_status(caller: str, kind: str) -> int:
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


def _same_refusal(a: Any, a_path: str, b: Any, b_path: str) -> bool:
    return a.status_code == b.status_code and _body(a, a_path) == _body(b, b_path)


# --- the API, from its schema ----------------------------------------------------------------

#: path parameter -> the kind of record it names
API_KINDS = {
    "person_id": "person",
    "household_id": "household",
    "vehicle_id": "vehicle",
    "parcel_id": "parcel",
    "permit_id": "permit",
    "bill_id": "tax_bill",
    "receipt_number": "application",
    "document_number": "certificate",
    "incident_id": "incident",
}
#: public operations that take a key and a second factor or are not scoped reads
PUBLIC_PARAMS = {"code": WONJU, "day": "2026-03-09", "request_id": "20260309-9999999-1"}
LIST_KINDS = {
    "PersonSearch": ("person", {"name": "매트릭스"}),
    "TaxBillList": ("tax_bill", {}),
    "VehicleList": ("vehicle", {}),
    "ParcelList": ("parcel", {}),
    "PermitList": ("permit", {}),
}


def _schema(world: World) -> dict[str, Any]:
    response = world.clients["anonymous"].get("/api/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def _gets(world: World) -> list[tuple[str, dict[str, Any]]]:
    schema = _schema(world)
    return [(path, ops["get"]) for path, ops in schema["paths"].items() if "get" in ops]


def _query(op: dict[str, Any]) -> dict[str, str]:
    query = {}
    for param in op.get("parameters", []):
        if param["in"] == "query" and param.get("required"):
            query[param["name"]] = {"purpose": "권한 점검", "edge_id": "edge-matrix"}[param["name"]]
    return query


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def test_every_api_read_answers_only_in_scope(world: World) -> None:
    leaks, differences, unknown = [], [], []
    for path, op in _gets(world):
        names = re.findall(r"\{(\w+)\}", path)
        query = _query(op)
        public = not op.get("security")
        kinds = [API_KINDS[n] for n in names if n in API_KINDS]
        if public:
            filled = _fill(path, {n: PUBLIC_PARAMS.get(n, "x") for n in names})
            for caller in ("anonymous", "stranger"):
                status = world.clients[caller].get(filled, query).status_code
                if status >= 500:
                    leaks.append((caller, filled, status))
            continue
        if len(kinds) != len(names):
            unknown.append(path)
            continue
        if not kinds:
            _check_list(world, path, op, query, leaks)
            continue
        (kind,) = kinds
        absent_path = _fill(path, {names[0]: ABSENT.get(names[0], ABSENT["int"]) or "0" * 16})
        for caller in CALLERS:
            client = world.clients[caller]
            absent = client.get(absent_path, query)
            if absent.status_code != _absent_status(caller, kind):
                leaks.append((caller, absent_path, absent.status_code, "absent"))
            for city, key in world.records.get(kind, {}).items():
                filled = _fill(path, {names[0]: key})
                logged = AccessLog.objects.count()
                response = client.get(filled, query)
                logged = AccessLog.objects.count() - logged
                if readable(caller, kind, city):
                    if response.status_code != 200:
                        differences.append((caller, filled, response.status_code, "expected 200"))
                    elif caller in ROLES and kind in PERSONAL and not logged:
                        leaks.append((caller, filled, "read without an access-log row"))
                elif not _same_refusal(response, filled, absent, absent_path):
                    leaks.append((caller, filled, response.status_code, response.content[:200]))
                elif logged:
                    leaks.append((caller, filled, "refusal wrote the access log"))
    assert unknown == [], f"GET operations with parameters the matrix cannot fill: {unknown}"
    assert leaks == []
    assert differences == []


def _check_list(
    world: World, path: str, op: dict[str, Any], query: dict[str, str], leaks: list[Any]
) -> None:
    """A list holds only records in scope; ops operations only for the room's staff."""
    listed = LIST_KINDS.get(op["operationId"])
    for caller in CALLERS:
        response = world.clients[caller].get(path, {**query, **(listed[1] if listed else {})})
        if response.status_code >= 500:
            leaks.append((caller, path, response.status_code))
            continue
        room = path.startswith("/api/ops/") and caller != "anonymous"
        if room and (response.status_code == 200) != (caller in ROOM_READERS):
            leaks.append((caller, path, response.status_code, "room"))
        if caller == "anonymous" and response.status_code != 401:
            leaks.append((caller, path, response.status_code, "anonymous"))
        if listed is None or response.status_code != 200:
            continue
        kind = listed[0]
        allowed = {world.records[kind][city] for city in CITIES if readable(caller, kind, city)}
        mine = set(world.records[kind].values())
        got = {str(item["id"]) for item in response.json()} & mine
        if got - allowed:
            leaks.append((caller, path, sorted(got - allowed)))
        if allowed - got:
            leaks.append((caller, path, "missing", sorted(allowed - got)))


# --- pages, from the URL conf ----------------------------------------------------------------

SKIP_PREFIXES = ("admin/", "api/", "kiosk/", "accounts/", "i18n/", "healthz", "readyz", "metrics")
#: page route -> the kind of record its parameters name (the others have none)
PAGE_KINDS = {
    "staff/registry/persons/<int:person_id>/": "person",
    "staff/petitions/receipt/<str:receipt_number>/": "application",
    "staff/petitions/<str:receipt_number>/<int:item>/": "petition",
    "petitions/mine/<str:receipt_number>/": "application",
    "certificates/<str:number>.pdf": "certificate",
    "ops/incidents/<int:incident_id>/": "incident",
    "inbox/<int:message_id>/": "notice",
}
#: routes that only accept POST: they are covered by the write tests below
POST_ONLY = {
    "staff/petitions/<str:receipt_number>/<int:item>/<str:name>/",
    "petitions/mine/<str:receipt_number>/<int:item>/supplement/",
    "ops/alerts/<int:alert_id>/acknowledge",
}


def _routes() -> list[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(SKIP_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                yield route

    return list(walk(get_resolver().url_patterns, ""))


def _page_url(route: str, key: str) -> str:
    if route.endswith(".pdf"):
        return "/" + route.replace("<str:number>", key)
    if "<int:item>" in route:
        receipt, _, item = key.partition("/")
        route = route.replace("<int:item>", item or "1")
        key = receipt
    return "/" + re.sub(r"<\w+:\w+>", key, route)


def _readable_page(caller: str, route: str, kind: str, city: str) -> bool:
    if route.startswith(("petitions/mine/", "inbox/")):
        return caller == "resident"
    return caller in ROLES and readable(caller, kind, city)


def test_every_page_answers_only_in_scope(world: World) -> None:
    leaks, differences, unknown = [], [], []
    for route in _routes():
        if route in POST_ONLY:
            continue
        if "<" not in route:
            for caller in CALLERS:
                response = world.clients[caller].get("/" + route)
                if response.status_code >= 500:
                    leaks.append((caller, route, response.status_code))
                citizen = caller in ("resident", "stranger")
                if route.startswith("staff/") and citizen and response.status_code < 300:
                    leaks.append((caller, route, response.status_code, "staff page"))
            continue
        kind = PAGE_KINDS.get(route)
        if kind is None:
            unknown.append(route)
            continue
        absent_key = {"certificate": "1234567812345670"}.get(kind, ABSENT["int"])
        if kind in ("application", "petition"):
            absent_key = ABSENT["receipt_number"]
        absent_url = _page_url(route, absent_key)
        for caller in CALLERS:
            client = world.clients[caller]
            absent = client.get(absent_url)
            if absent.status_code < 300 or absent.status_code >= 500:
                leaks.append((caller, absent_url, absent.status_code, "absent"))
            for city, key in world.records.get(kind, {}).items():
                url = _page_url(route, key)
                logged = AccessLog.objects.count()
                response = client.get(url)
                logged = AccessLog.objects.count() - logged
                if _readable_page(caller, route, kind, city):
                    if response.status_code != 200:
                        differences.append((caller, url, response.status_code, "expected 200"))
                    elif caller in ROLES and kind in PERSONAL and not logged:
                        leaks.append((caller, url, "read without an access-log row"))
                elif not _same_refusal(response, url, absent, absent_url):
                    leaks.append((caller, url, response.status_code, absent.status_code))
                elif logged:
                    leaks.append((caller, url, "refusal wrote the access log"))
    assert unknown == [], f"pages with parameters the matrix cannot fill: {unknown}"
    assert leaks == []
    assert differences == []


def test_out_of_scope_person_page_is_404_not_500(world: World) -> None:
    clerk = world.clients["counter_clerk"]
    gongju = clerk.get(f"/staff/registry/persons/{world.records['person']['gongju']}/")
    absent = clerk.get(f"/staff/registry/persons/{ABSENT['int']}/")
    assert gongju.status_code == absent.status_code == 404
    api = clerk.get(f"/api/persons/{world.records['person']['gongju']}", {"purpose": "x"})
    api_absent = clerk.get(f"/api/persons/{ABSENT['int']}", {"purpose": "x"})
    assert api.status_code == 404 and api.json() == api_absent.json()
    assert ABSENT["int"] not in api_absent.content.decode()


# --- pages and the API answer the same read the same way -------------------------------------


def test_person_page_and_api_show_the_same_bills_and_vehicles(world: World) -> None:
    """The issue's case: a 공주 resident with a 공주 bill and vehicle moved to 원주. Each
    caller sees on the person page exactly the bills and vehicles the API gives them, and
    an auditor (no ``tax.read``, no ``vehicles.read``) sees none and leaves no log of them."""
    pid = world.mover_id
    for caller in CALLERS:
        client = world.clients[caller]
        page = client.get(f"/staff/registry/persons/{pid}/")
        person = client.get(f"/api/persons/{pid}", {"purpose": "대조"})
        assert (page.status_code == 200) == (person.status_code == 200), caller
        if page.status_code != 200:
            continue
        html = page.content.decode()
        bills = client.get("/api/tax-bills", {"purpose": "대조", "taxpayer_id": pid})
        api_bills = {b["number"] for b in bills.json()} if bills.status_code == 200 else set()
        from minwon.tax.models import TaxBill

        for number in TaxBill.objects.filter(taxpayer_id=pid).values_list("number", flat=True):
            assert (number in html) == (number in api_bills), (caller, number)
        cars = client.get("/api/vehicles", {"purpose": "대조", "owner_id": pid})
        api_plates = {v["plate"] for v in cars.json()} if cars.status_code == 200 else set()
        assert (world.mover_plate in html) == (world.mover_plate in api_plates), caller
    clerk_html = world.clients["counter_clerk"].get(f"/staff/registry/persons/{pid}/")
    from minwon.tax.models import TaxBill

    wonju_bill = TaxBill.objects.get(pk=world.mover_bills["wonju"]).number
    gongju_bill = TaxBill.objects.get(pk=world.mover_bills["gongju"]).number
    assert wonju_bill in clerk_html.content.decode()
    assert gongju_bill not in clerk_html.content.decode()
    auditor = world.users["auditor"]
    before = AccessLog.objects.filter(actor=f"staff:{auditor.pk}").count()
    html = world.clients["auditor"].get(f"/staff/registry/persons/{pid}/").content.decode()
    assert wonju_bill not in html and gongju_bill not in html and world.mover_plate not in html
    rows = AccessLog.objects.filter(actor=f"staff:{auditor.pk}").order_by("id")[before:]
    assert [r.what for r in rows] == ["detail"]


def test_application_page_and_api_agree(world: World) -> None:
    for caller in CALLERS:
        client = world.clients[caller]
        for city, receipt in world.records["application"].items():
            api = client.get(f"/api/petitions/{receipt}")
            page_url = (
                f"/petitions/mine/{receipt}/"
                if caller in ("resident", "stranger")
                else f"/staff/petitions/receipt/{receipt}/"
            )
            page = client.get(page_url)
            if caller == "anonymous":
                assert api.status_code == 401 and page.status_code == 302
                continue
            assert (api.status_code == 200) == (page.status_code == 200), (caller, city)
            assert (api.status_code == 200) == readable(caller, "application", city)
            if api.status_code == 200:
                for item in api.json()["petitions"]:
                    assert item["number"] in page.content.decode()


# --- writes: refused, nothing changed --------------------------------------------------------

#: the situation room's own bookkeeping, flushed on a timer whatever the request: request
#: counts per minute (a refused request is still a request) and the process heartbeat
_NOT_STATE = {"ops.metricminute", "ops.processheartbeat"}


def _census() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in ("sessions", "admin", "contenttypes", "axes"):
            continue
        if label in _NOT_STATE or model._meta.managed is False:
            continue
        counts[label] = model._base_manager.count()
    return counts


def _changed(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    after = _census()
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


def _writes(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    schema = _schema(world)
    out = []
    for path, ops in schema["paths"].items():
        for method in ("post", "put", "patch", "delete"):
            if method in ops and ops[method].get("security"):
                out.append((method, path, ops[method]))
    return out


def test_anonymous_writes_are_refused_and_change_nothing(world: World) -> None:
    client = world.clients["anonymous"]
    before = _census()
    for method, path, _op in _writes(world):
        url = re.sub(r"\{(\w+)\}", "1", path)
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code == 401, (method, url, response.status_code)
    assert _changed(before) == {}


def _petition_body(action: str) -> dict[str, Any]:
    return {
        "item": 1, "reason": "점검", "department": "민원과", "outcome": "approved",
        "period": "7d", "to": "다른 기관", "items_needed": ["서류"],
        "due_date": (clock.now().date() + timedelta(days=10)).isoformat(),
    }  # fmt: skip


def test_workflow_actions_out_of_scope_are_404_and_change_nothing(world: World) -> None:
    gongju = world.records["application"]["gongju"]
    wonju = world.records["application"]["wonju"]
    before = _census()
    for caller in (*ROLES, "stranger"):
        target = wonju if caller == "stranger" else gongju
        for action in ACTIONS:
            response = world.clients[caller].post(
                f"/api/petitions/{target}/{action}", _petition_body(action),
                content_type="application/json",
            )  # fmt: skip
            absent = world.clients[caller].post(
                f"/api/petitions/{ABSENT['receipt_number']}/{action}", _petition_body(action),
                content_type="application/json",
            )  # fmt: skip
            assert response.status_code == 404, (caller, action, response.content)
            assert response.json() == absent.json()
    # The applicant may read but not decide.
    response = world.clients["resident"].post(
        f"/api/petitions/{wonju}/decide", _petition_body("decide"), content_type="application/json"
    )
    assert response.status_code == 403
    assert _changed(before) == {}


def test_staff_pages_refuse_out_of_scope_writes(world: World) -> None:
    gongju_person = world.records["person"]["gongju"]
    receipt = world.records["application"]["gongju"]
    before = _census()
    for caller in (*ROLES, "resident", "stranger"):
        client = world.clients[caller]
        reveal = client.post(f"/staff/registry/persons/{gongju_person}/", {"purpose": "확인"})
        assert reveal.status_code == 404, caller
        act = client.post(f"/staff/petitions/{receipt}/1/start-review/", {})
        assert act.status_code == 404, caller
    assert _changed(before) == {}


def test_move_in_into_another_city_is_refused(world: World) -> None:
    """Refused before anything about the person is read: a resident of 공주 and an id
    nobody holds get the same answer."""
    gongju_person = world.records["person"]["gongju"]
    body = {
        "movers": [{"person_id": int(gongju_person), "relationship": "head"}],
        "road_address": "충청남도 공주시 신관로 20", "address_code": DONGS["gongju"],
        "moved_in_on": clock.now().date().isoformat(),
    }  # fmt: skip
    absent = {**body, "movers": [{"person_id": int(ABSENT["int"]), "relationship": "head"}]}
    before = _census()
    for caller in ROLES:
        client = world.clients[caller]
        response = client.post("/api/move-ins", body, content_type="application/json")
        assert response.status_code in (403, 404), (caller, response.content)
        nobody = client.post("/api/move-ins", absent, content_type="application/json")
        assert response.json() == nobody.json(), caller
    response = world.clients["stranger"].post(
        "/api/move-ins", body, content_type="application/json"
    )
    assert response.status_code == 403
    assert _changed(before) == {}


@pytest.mark.xfail(
    strict=True,
    reason="registry/movein.py looks the movers up before the citizen rule and names the "
    "id it did not find ('Person 987654321 not found'): a citizen can tell which ids exist",
)
def test_citizen_move_in_refusal_does_not_tell_which_ids_exist(world: World) -> None:
    body = {
        "movers": [{"person_id": int(world.records["person"]["gongju"]), "relationship": "head"}],
        "road_address": "강원특별자치도 원주시 무실로 55", "address_code": factories.MUSIL,
        "moved_in_on": clock.now().date().isoformat(),
    }  # fmt: skip
    absent = {**body, "movers": [{"person_id": int(ABSENT["int"]), "relationship": "head"}]}
    client = world.clients["stranger"]
    response = client.post("/api/move-ins", body, content_type="application/json")
    nobody = client.post("/api/move-ins", absent, content_type="application/json")
    assert response.status_code == nobody.status_code
    assert response.json() == nobody.json()


def test_api_server_errors_use_the_error_shape(world: World, monkeypatch: Any) -> None:
    from minwon.tax import api as tax_api

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(tax_api.policies, "bill", boom)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["counter_clerk"])
    response = client.get(f"/api/tax-bills/{world.records['tax_bill']['wonju']}", {"purpose": "x"})
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"code", "message", "message_en", "field"}
    assert body["code"] == "server_error" and "secret" not in response.content.decode()

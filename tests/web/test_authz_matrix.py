"""The authorisation matrix (DESIGN §3.6), generated from what the system serves: every
read operation of the OpenAPI schema (``/api/openapi.json``) and every page of the URL
conf, asked by every role of 원주시, a resident citizen, a stranger citizen and an
anonymous caller, about records of 원주시, 공주시 and 전주시 (``authz_world``).

A caller reads a record only where its role and jurisdiction allow, and a staff read of
personal data writes the access log; anywhere else the answer is exactly the answer for a
record that does not exist (status and body) and nothing is logged. Lists hold only what
is in scope. Pages and the API give the same answer for the same read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from minwon.kernel.models import AccessLog
from tests.web.authz_world import (
    ABSENT,
    CALLERS,
    CITIES,
    PERSONAL,
    ROLES,
    ROOM_READERS,
    WONJU,
    World,
    absent_status,
    readable,
    same_refusal,
    schema_of,
)  # fmt: skip

pytestmark = pytest.mark.django_db

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
    "PersonSearchPost": ("person", {"name": "매트릭스"}),
    "TaxBillList": ("tax_bill", {}),
    "VehicleList": ("vehicle", {}),
    "ParcelList": ("parcel", {}),
    "PermitList": ("permit", {}),
}


def _gets(world: World) -> list[tuple[str, dict[str, Any]]]:
    schema = schema_of(world)
    return [(path, ops["get"]) for path, ops in schema["paths"].items() if "get" in ops]


def _query(op: dict[str, Any]) -> dict[str, str]:
    query = {}
    for param in op.get("parameters", []):
        if param["in"] == "query" and param.get("required"):
            query[param["name"]] = {
                "purpose": "권한 점검",
                "edge_id": "edge-matrix",
                "q": "매트릭스",
            }[param["name"]]
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
            if absent.status_code != absent_status(caller, kind):
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
                elif not same_refusal(response, filled, absent, absent_path):
                    leaks.append((caller, filled, response.status_code, response.content[:200]))
                elif logged:
                    leaks.append((caller, filled, "refusal wrote the access log"))
    assert unknown == [], f"GET operations with parameters the matrix cannot fill: {unknown}"
    assert leaks == []
    assert differences == []


def _check_list(
    world: World,
    path: str,
    op: dict[str, Any],
    query: dict[str, str],
    leaks: list[Any],
    *,
    method: str = "get",
) -> None:
    """A list holds only records in scope; ops operations only for the room's staff. A read
    by POST (``method="post"``) is asked with the same values in its JSON body."""
    listed = LIST_KINDS.get(op["operationId"])
    for caller in CALLERS:
        values = {**query, **(listed[1] if listed else {})}
        if method == "post":
            response = world.clients[caller].post(path, values, content_type="application/json")
        else:
            response = world.clients[caller].get(path, values)
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


#: the body of each read by POST (``web.api.READ_BY_POST``) beyond its list values
POST_READ_BODIES = {
    "PersonSearchPost": {"purpose": "권한 점검"},
    "SearchPost": {"q": "매트릭스"},
    "PetitionTrack": {"pin": "000000"},
}


def test_every_api_read_by_post_answers_only_in_scope(world: World) -> None:
    """The reads that take personal data in their body (never in a URL) are asked like
    every GET: a list holds only what is in scope, a public look-up never answers without
    its factor, and none is a 5xx."""
    schema = schema_of(world)
    reads = [
        (path, ops["post"])
        for path, ops in schema["paths"].items()
        if "post" in ops and ops["post"].get("x-minwon-read")
    ]
    assert {op["operationId"] for _, op in reads} == set(POST_READ_BODIES)
    leaks: list[Any] = []
    for path, op in reads:
        body = POST_READ_BODIES[op["operationId"]]
        if not op.get("security"):
            filled = _fill(path, {"receipt_number": world.records["application"]["wonju"]})
            for caller in ("anonymous", "stranger"):
                response = world.clients[caller].post(filled, body, content_type="application/json")
                if response.status_code not in (400, 404, 429):
                    leaks.append((caller, filled, response.status_code))
            continue
        _check_list(world, path, op, body, leaks, method="post")
    assert leaks == []


# --- pages, from the URL conf ----------------------------------------------------------------

SKIP_PREFIXES = ("admin/", "api/", "kiosk/", "accounts/", "i18n/", "healthz", "readyz", "metrics")
#: page route -> the kind of record its parameters name (the others have none)
PAGE_KINDS = {
    "staff/registry/persons/<int:person_id>/": "person",
    "staff/registry/persons/<int:person_id>/status/": "person_status",
    "staff/registry/households/<int:household_id>/": "household",
    "staff/registry/households/<int:household_id>/head/": "household_change",
    "staff/registry/households/<int:household_id>/merge/": "household_change",
    "staff/registry/households/<int:household_id>/split/": "household_change",
    "staff/petitions/receipt/<str:receipt_number>/": "application",
    "staff/petitions/<str:receipt_number>/<int:item>/": "petition",
    "petitions/mine/<str:receipt_number>/": "application",
    "petitions/attachments/<int:attachment_id>/": "attachment",
    "certificates/<str:number>.pdf": "certificate",
    "ops/incidents/<int:incident_id>/": "incident",
    "inbox/<int:message_id>/": "notice",
    "staff/notices/campaigns/<int:campaign_id>/": "campaign",
    "staff/notices/<int:notice_id>/": "staff_notice",
    "staff/notices/campaigns/<int:campaign_id>/print/<int:batch_id>.pdf": "print_batch",
    "staff/search/open/<str:kind>/<str:entity_id>/": "search_hit",
    "staff/kiosks/<str:device_id>/": "kiosk_device",
    "staff/admin/accounts/<int:user_id>/": "staff_account",
    "staff/campaigns/<int:campaign_id>/": "collect_campaign",
    "staff/campaigns/<int:campaign_id>/export.xlsx": "collect_campaign",
    "staff/campaigns/<int:campaign_id>/export.csv": "collect_campaign",
    "staff/campaigns/<int:campaign_id>/answers/<int:recipient_id>/": "collect_answer",
    "staff/inbox/<int:message_id>/": "staff_message",
    "staff/payments/<int:payment_id>/": "payment",
}
#: pages that answer a reader with a redirect to the record's own page
REDIRECTS = {"staff/search/open/<str:kind>/<str:entity_id>/"}
#: routes that only accept POST: they are covered by the write tests below
POST_ONLY = {
    "staff/petitions/<str:receipt_number>/<int:item>/<str:name>/",
    "petitions/mine/<str:receipt_number>/<int:item>/supplement/",
    "ops/alerts/<int:alert_id>/acknowledge",
    "inbox/<int:message_id>/acknowledge",
    "inbox/<int:message_id>/receipt",
    "me/consents/<uuid:reference>/revoke/",
    "staff/sharing/petition-lookups/<str:receipt_number>/<int:seq>/",
    "staff/admin/accounts/<int:user_id>/<str:name>/",
    "staff/admin/agency-keys/<int:client_id>/<str:name>/",
    "staff/campaigns/<int:campaign_id>/versions/",
    "staff/inbox/<int:message_id>/read/",
    "staff/payments/<int:payment_id>/refund/",
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
    if route.count("<") == 2 and "<int:item>" not in route:  # two ids: "first/second"
        first, _, second = key.partition("/")
        route = re.sub(r"<\w+:\w+>", first, route, count=1)
        return "/" + re.sub(r"<\w+:\w+>", second or first, route, count=1)
    if route.endswith(".pdf"):
        return "/" + route.replace("<str:number>", key)
    if "<int:item>" in route:
        receipt, _, item = key.partition("/")
        route = route.replace("<int:item>", item or "1")
        key = receipt
    return "/" + re.sub(r"<\w+:\w+>", key, route)


def _readable_page(caller: str, route: str, kind: str, city: str) -> bool:
    if route.startswith("petitions/attachments/"):  # the applicant's, and staff's in scope
        return readable(caller, kind, city)
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
        absent_key = {
            "certificate": "1234567812345670",
            "search_hit": f"person/{ABSENT['int']}",
        }.get(kind, ABSENT["int"])
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
                    if response.status_code != (302 if route in REDIRECTS else 200):
                        differences.append((caller, url, response.status_code, "expected 200"))
                    elif route in REDIRECTS:
                        continue
                    elif caller in ROLES and kind in PERSONAL and not logged:
                        leaks.append((caller, url, "read without an access-log row"))
                elif not same_refusal(response, url, absent, absent_url):
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


# --- kiosk devices: the gate in front of every kiosk URL, and their administrators' writes ---


def _kiosk_routes() -> list[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and route.startswith("kiosk/"):
                yield route

    return list(walk(get_resolver().url_patterns, ""))


def test_every_kiosk_page_refuses_every_caller_without_a_device(world: World) -> None:
    """No role, citizen or anonymous caller is a kiosk: each kiosk URL (GET and POST)
    answers them the same 401 대체 창구 안내, with no form; only the hand-over page opens."""
    routes = _kiosk_routes()
    assert len(routes) >= 15
    reference = world.clients["anonymous"].get("/kiosk/")
    assert reference.status_code == 401 and "<form" not in reference.content.decode()
    problems = []
    for route in routes:
        url = "/" + re.sub(r"<\w+:\w+>", "x1", route)
        for caller in CALLERS:
            client = world.clients[caller]
            for response in (client.get(url), client.post(url, {"name": "가", "rrn": "1"})):
                if route == "kiosk/enrol/":
                    if response.status_code not in (200, 400):
                        problems.append((caller, url, response.status_code))
                elif (response.status_code, response.content) != (401, reference.content):
                    problems.append((caller, url, response.status_code))
    assert problems == []


def test_only_the_offices_administrator_enrols_and_revokes_its_kiosks(world: World) -> None:
    from minwon.accounts.models import KioskDevice

    before = KioskDevice.objects.count()
    wrong = []
    for caller in CALLERS:
        client = world.clients[caller]
        for city, code in CITIES.items():
            made = client.post("/staff/kiosks/", {"name": f"{caller} {city}", "office": code})
            ok = caller == "sysadmin" and city == "wonju"
            created = KioskDevice.objects.filter(name=f"{caller} {city}").exists()
            if created != ok or (made.status_code == 200) != ok:
                wrong.append(("enrol", caller, city, made.status_code))
            device_id = world.records["kiosk_device"][city]
            url = f"/staff/kiosks/{device_id}/"
            absent = client.post(f"/staff/kiosks/{ABSENT['int']}/", {"action": "rotate"})
            if caller == "sysadmin" and city == "wonju":
                continue  # revoked below, once every other caller has tried
            refused = client.post(url, {"action": "revoke"})
            still = KioskDevice.objects.get(device_id=device_id).revoked_at is None
            if not still or not same_refusal(
                refused, url, absent, f"/staff/kiosks/{ABSENT['int']}/"
            ):
                wrong.append(("revoke", caller, city, refused.status_code))
    admin = world.clients["sysadmin"]
    wonju = world.records["kiosk_device"]["wonju"]
    assert admin.post(f"/staff/kiosks/{wonju}/", {"action": "revoke"}).status_code == 200
    assert KioskDevice.objects.get(device_id=wonju).revoked_at is not None
    assert KioskDevice.objects.count() == before + 1
    assert wrong == []


def test_only_the_offices_refund_clerks_reach_a_refund(world: World) -> None:
    """``staff/payments/<id>/refund/`` (POST only): a refund clerk of the payment's office
    reaches the handler (an empty reason is refused there, nothing changes); anyone else
    gets exactly what a payment that does not exist gets."""
    from minwon.payments.models import Payment

    leaks = []
    for caller in CALLERS:
        client = world.clients[caller]
        absent_url = f"/staff/payments/{ABSENT['int']}/refund/"
        absent = client.post(absent_url, {"reason": ""})
        for city, key in world.records["payment"].items():
            url = f"/staff/payments/{key}/refund/"
            response = client.post(url, {"reason": ""})
            if readable(caller, "payment", city):
                if response.status_code != 400:
                    leaks.append((caller, city, response.status_code, "expected 400"))
            elif not same_refusal(response, url, absent, absent_url):
                leaks.append((caller, city, response.status_code, absent.status_code))
    assert leaks == []
    assert not Payment.objects.filter(refunded__gt=0).exists()

"""Refusals change nothing (DESIGN §3.6, §3.8): writes by anonymous callers, citizens and
staff out of scope, through the API and the pages, are refused and leave every table as it
was; a refusal out of scope answers like one about a record that does not exist; an
unforeseen API error is a 500 in the JSON error shape (records: ``authz_world``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from minwon.kernel import clock
from minwon.petitions.commands.workflow import ACTIONS
from tests.registry import factories
from tests.web.authz_world import ABSENT, DONGS, ROLES, World, schema_of

pytestmark = pytest.mark.django_db

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
    schema = schema_of(world)
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


def test_only_the_addressee_marks_a_staff_message_read(world: World) -> None:
    """알림함: "읽음" on another's message is the 404 of an absent one and changes nothing."""
    from minwon.notices.models import InboxMessage

    message = world.records["staff_message"]["wonju"]
    before = _census()
    for caller in (*ROLES, "resident", "stranger"):
        if caller == "officer":
            continue
        client = world.clients[caller]
        refused = client.post(f"/staff/inbox/{message}/read/", {})
        absent = client.post(f"/staff/inbox/{ABSENT['int']}/read/", {})
        assert refused.status_code == absent.status_code, caller
        assert refused.status_code in (403, 404), caller
    assert _changed(before) == {}
    assert InboxMessage.objects.get(pk=message).read_at is None


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

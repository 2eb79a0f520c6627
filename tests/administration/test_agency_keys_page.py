"""기관 API 키: an administrator issues a key (shown once, only its hash stored), rotates
it (the old secret stops working) and revokes it; keys of another jurisdiction answer as
none; a key gets no permission its issuer lacks."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from django.test import Client

from minwon.accounts.commands import RegisterAgencyClient
from minwon.accounts.models import AgencyClient, User
from minwon.kernel import execute
from minwon.kernel.errors import Forbidden
from minwon.kernel.models import CommandRecord
from minwon.kernel.types import Actor, ActorKind, Channel
from tests.conftest import GONGJU, WONJU

pytestmark = pytest.mark.django_db
URL = "/staff/admin/agency-keys/"


@pytest.fixture
def client_of_admin(make_staff: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(make_staff("sysadmin", WONJU))
    return client


def _issue(client: Client, **extra: object) -> tuple[int, str]:
    data = {"command_id": str(uuid.uuid4()), "name": "국민연금공단 원주지사",
            "jurisdiction": WONJU, "permissions": ["sharing.request"], **extra}  # fmt: skip
    response = client.post(URL, data)
    match = re.search(r'id="new-key-value">([^<]+)<', response.content.decode())
    return response.status_code, match.group(1) if match else ""


def _me(key: str) -> int:
    return Client().get("/api/me", headers={"X-Api-Key": key}).status_code


def test_issue_shows_the_key_once_and_stores_only_its_hash(client_of_admin: Client) -> None:
    status, key = _issue(client_of_admin)
    assert status == 200 and key
    assert _me(key) == 200
    stored = AgencyClient.objects.get()
    assert stored.permissions == ["sharing.request"] and stored.jurisdiction_id == WONJU
    secret = key.split(".", 1)[1]
    record = CommandRecord.objects.get(name="RegisterAgencyClient")
    assert secret not in str(record.payload) and secret not in str(record.result)
    assert key not in client_of_admin.get(URL).content.decode()


def test_the_same_form_twice_issues_one_key_and_shows_no_false_one(
    client_of_admin: Client,
) -> None:
    command_id = str(uuid.uuid4())
    _, first = _issue(client_of_admin, command_id=command_id)
    status, second = _issue(client_of_admin, command_id=command_id)
    assert status == 200 and second == ""
    assert AgencyClient.objects.count() == 1 and _me(first) == 200


def test_rotate_then_revoke(client_of_admin: Client) -> None:
    _, old = _issue(client_of_admin)
    pk = AgencyClient.objects.get().pk
    response = client_of_admin.post(f"{URL}{pk}/rotate/", {"command_id": str(uuid.uuid4())})
    new = re.search(r'id="new-key-value">([^<]+)<', response.content.decode())
    assert response.status_code == 200 and new is not None
    assert new.group(1).split(".")[0] == old.split(".")[0]  # the same key id (prefix)
    assert _me(old) == 401 and _me(new.group(1)) == 200
    revoked = client_of_admin.post(f"{URL}{pk}/revoke/", {"command_id": str(uuid.uuid4())})
    assert revoked.status_code == 302
    assert _me(new.group(1)) == 401
    assert not AgencyClient.objects.get().active


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"name": ""}, "기관명을 입력하세요."),
        ({"permissions": []}, "허용할 권한을 하나 이상 고르세요."),
        ({"permissions": ["registry.read"]}, "줄 수 있는 권한을 고르세요."),
        ({"jurisdiction": GONGJU}, "관리하는 관할을 고르세요."),
    ],
)
def test_bad_input_names_the_field_and_issues_nothing(
    client_of_admin: Client, extra: dict[str, object], message: str
) -> None:
    data = {"command_id": str(uuid.uuid4()), "name": "국민연금공단 원주지사",
            "jurisdiction": WONJU, "permissions": ["sharing.request"], **extra}  # fmt: skip
    response = client_of_admin.post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'id="new-key-value"' not in response.content.decode()
    assert not AgencyClient.objects.exists()


def test_another_jurisdictions_key_is_not_there(
    client_of_admin: Client, make_staff: Callable[..., User]
) -> None:
    other = Client()
    other.force_login(make_staff("sysadmin", GONGJU))
    _issue(other, jurisdiction=GONGJU)
    theirs = AgencyClient.objects.get()
    assert theirs.prefix not in client_of_admin.get(URL).content.decode()
    for name in ("rotate", "revoke"):
        response = client_of_admin.post(
            f"{URL}{theirs.pk}/{name}/", {"command_id": str(uuid.uuid4())}
        )
        absent = client_of_admin.post(f"{URL}987654/{name}/", {"command_id": str(uuid.uuid4())})
        assert response.status_code == absent.status_code == 404
    theirs.refresh_from_db()
    assert theirs.active


def test_a_key_gets_no_permission_its_issuer_lacks(make_staff: Callable[..., User]) -> None:
    officer = make_staff("officer", WONJU)  # holds neither accounts.manage nor the issuance
    with pytest.raises(Forbidden):
        execute(
            RegisterAgencyClient(
                actor=Actor(ActorKind.STAFF, officer.pk, officer.username), channel=Channel.ONLINE,
                jurisdiction=WONJU, name="x", prefix="agzz", key_hash="0" * 64,
                permissions=["documents.agency_issue"],
            )
        )  # fmt: skip
    assert not AgencyClient.objects.exists()


@pytest.mark.parametrize("role", ["counter_clerk", "officer", "operator", "auditor"])
def test_other_staff_are_refused(make_staff: Callable[..., User], role: str) -> None:
    client = Client()
    client.force_login(make_staff(role, WONJU))
    assert client.get(URL).status_code == 403
    status, key = _issue(client)
    assert status == 403 and key == ""
    assert not AgencyClient.objects.exists()

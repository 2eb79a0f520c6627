"""민원 사무 관리: a national administrator publishes a type's new settings as its next
version; the old version stays as it was, new petitions count under the new period and
petitions already received keep theirs; bad input names the field and publishes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.models import User
from minwon.kernel import clock, execute
from minwon.kernel.clock import local
from minwon.kernel.types import NATION, Actor, Channel
from minwon.petitions import catalog
from minwon.petitions.commands import LoadPetitionCatalog
from minwon.petitions.models import Petition, PetitionType, PetitionTypeVersion
from tests.petitions.conftest import WONJU, at

pytestmark = pytest.mark.django_db
URL = "/staff/admin/catalog/"


@pytest.fixture
def admin(make_staff: Callable[..., User], catalog_loaded: None) -> Client:
    client = Client()
    client.force_login(make_staff("sysadmin", NATION))
    return client


def _publish(client: Client, **extra: Any) -> Any:
    data = {"command_id": str(uuid.uuid4()), "code": "GRIEVANCE", "period": "10d", "fee": "0",
            "fee_note": "", "note": "조례 개정(2026. 12.)", **extra}  # fmt: skip
    with clock.frozen_at(at("2026-12-01T09:00")):
        return client.post(URL, data)


def test_a_new_version_changes_new_petitions_only(
    admin: Client, apply: Callable[..., dict[str, Any]]
) -> None:
    before = apply("GRIEVANCE", when="2026-11-30T10:00")["receipt_number"]
    response = _publish(admin, approval_line=["department_head"])
    assert response.status_code == 302
    versions = list(PetitionTypeVersion.objects.filter(type_id="GRIEVANCE").order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].settings["period"] == "7d" and versions[0].settings["approval_line"] == []
    assert versions[1].settings["period"] == "10d"
    assert versions[1].settings["approval_line"] == ["department_head"]
    ptype = PetitionType.objects.get(code="GRIEVANCE")
    assert ptype.period == "10d"
    after = apply("GRIEVANCE", when="2026-12-01T10:00")["receipt_number"]
    old = Petition.objects.get(application__receipt_number=before)
    new = Petition.objects.get(application__receipt_number=after)
    assert old.period == "7d" and local(old.deadline_at) == at("2026-12-08T18:00")
    assert new.period == "10d" and local(new.deadline_at) == at("2026-12-14T18:00")
    page = admin.get(URL, {"code": "GRIEVANCE"}).content.decode()
    assert "v2" in page and "조례 개정(2026. 12.)" in page


def test_the_old_version_cannot_be_edited(admin: Client) -> None:
    _publish(admin)
    first = PetitionTypeVersion.objects.get(type_id="GRIEVANCE", number=1)
    first.note = "고친 사유"
    with pytest.raises(RuntimeError):
        first.save()
    with pytest.raises(RuntimeError):
        first.delete()


def test_reloading_the_file_is_a_version_too(admin: Client) -> None:
    _publish(admin)
    data = catalog.read()
    execute(
        LoadPetitionCatalog(
            actor=Actor.system("t"), channel=Channel.SYSTEM, jurisdiction=NATION,
            version="2027-01", types=data["types"],
        )
    )  # fmt: skip
    latest = PetitionTypeVersion.objects.filter(type_id="GRIEVANCE").order_by("-number").first()
    assert latest is not None and latest.number == 3 and latest.settings["period"] == "7d"
    assert "2027-01" in latest.note


@pytest.mark.parametrize(
    ("extra", "message", "status"),
    [
        (
            {"period": "열흘"},
            "처리기간은 즉시, 3h(시간), 7d(일), 2w(주), 1m(개월), 1y(년) 형식으로",
            400,
        ),
        ({"fee": "-5"}, "수수료는 0원 이상으로 입력하세요.", 400),
        ({"fee": "무료"}, "수수료는 숫자(원)로 입력하세요.", 400),
        ({"note": ""}, "변경 사유를 입력하세요.", 400),
        ({"approval_line": ["sysadmin"]}, "결재선에는 부서장만 둘 수 있습니다.", 400),
        ({"period": "7d"}, "바뀐 설정이 없습니다.", 409),
    ],
)
def test_bad_input_names_the_field_and_publishes_nothing(
    admin: Client, extra: dict[str, Any], message: str, status: int
) -> None:
    response = _publish(admin, **extra)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not PetitionTypeVersion.objects.exists()
    assert PetitionType.objects.get(code="GRIEVANCE").period == "7d"


def test_an_unknown_type_is_404(admin: Client) -> None:
    assert admin.get(URL, {"code": "NO_SUCH"}).status_code == 404
    assert _publish(admin, code="NO_SUCH").status_code == 404


def test_a_department_head_sees_the_versions_but_cannot_publish(
    make_staff: Callable[..., User], catalog_loaded: None
) -> None:
    client = Client()
    client.force_login(make_staff("department_head", WONJU))
    page = client.get(URL, {"code": "GRIEVANCE"})
    assert page.status_code == 200 and 'id="publish-version"' not in page.content.decode()
    assert _publish(client).status_code == 403
    assert not PetitionTypeVersion.objects.exists()


@pytest.mark.parametrize("role", ["counter_clerk", "officer", "operator", "auditor"])
def test_other_staff_are_refused(make_staff: Callable[..., User], role: str) -> None:
    client = Client()
    client.force_login(make_staff(role, WONJU))
    assert client.get(URL).status_code == 403
    assert _publish(client).status_code == 403

"""A petition's look-up document (영업신고증 for 식품영업자 지위승계) is confirmed by the
officer through the sharing path instead of being asked from the applicant, and the
petition page shows it as 행정정보 공동이용으로 확인; the applicant sees the read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from minwon.kernel import clock, execute
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.types import Channel
from minwon.licensing.commands import GrantPermit
from minwon.petitions import catalog as petition_catalog
from minwon.petitions.commands import ApplicationItem, LoadPetitionCatalog, SubmitApplication
from minwon.sharing.commands import LookUpPetitionDocument
from minwon.sharing.models import SharingMessage
from minwon.sharing.queries import data_access_of
from tests.conftest import WONJU, actor_of

from .helpers import SYSTEM, resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def petition(jurisdictions_loaded: None, make_citizen: Any) -> tuple[Any, str]:
    data = petition_catalog.read()
    execute(LoadPetitionCatalog(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction="0000000000",
                                version=data["version"], types=data["types"]))  # fmt: skip
    who = resident(make_citizen, name="양수인")
    execute(
        GrantPermit(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=WONJU, kind="general_restaurant",
            holder_id=who.person.pk, business_name="치악산막국수", road_address="강원특별자치도 원주시 치악로 1",
            granted_on=clock.now().date(),
        )
    )  # fmt: skip
    result = execute(
        SubmitApplication(
            actor=who.actor, channel=Channel.ONLINE, jurisdiction=WONJU,
            items=[ApplicationItem(type_code="FOOD_SUCCESSION",
                                   documents=["양도·양수를 증명하는 서류", "위생교육 수료증"])],
        )
    ).value  # fmt: skip
    return who, result["receipt_number"]


def test_officer_confirms_the_lookup_document_and_the_page_shows_it(
    petition: tuple[Any, str], make_staff: Any
) -> None:
    who, receipt = petition
    officer = make_staff("officer", WONJU)
    client = Client()
    client.force_login(officer)
    page = client.get(f"/staff/petitions/{receipt}/1/").content.decode()
    assert "영업신고증 공동이용으로 확인" in page  # a button, not a request to the applicant
    done = client.post(f"/staff/sharing/petition-lookups/{receipt}/1/", {"document": "영업신고증"})
    assert done.status_code == 302
    page = client.get(f"/staff/petitions/{receipt}/1/").content.decode()
    assert "행정정보 공동이용으로 확인" in page and "치악산막국수" in page
    assert "영업신고증 공동이용으로 확인" not in page
    entry = SharingMessage.objects.get(purpose="petition_document")
    assert (
        entry.case_reference == f"{receipt}-1"
        and entry.ground == "민원 처리에 관한 법률 제10조제3항"
    )
    assert set(entry.answer["result"]) == {"reports"}
    history = data_access_of(subject_index=who.person.rrn_index, person_id=who.person.pk,
                             on=clock.now().date())  # fmt: skip
    assert any(h.purpose == "민원 구비서류 확인" and "원주시" in h.who for h in history)


def test_only_lookup_documents_of_the_petition_and_only_its_officers(
    petition: tuple[Any, str], make_staff: Any
) -> None:
    _who, receipt = petition
    officer = actor_of(make_staff("officer", WONJU))
    with pytest.raises(ValidationFailed) as refused:
        execute(LookUpPetitionDocument(actor=officer, channel=Channel.COUNTER, jurisdiction=WONJU,
                                       receipt_number=receipt, seq=1, document="토지대장"))  # fmt: skip
    assert refused.value.code == "not_a_lookup_document"
    other = Client()
    other.force_login(make_staff("officer", "4415000000"))
    other.post(f"/staff/sharing/petition-lookups/{receipt}/1/", {"document": "영업신고증"})
    assert not SharingMessage.objects.exists()

"""Browser: on the main citizen pages and at the kiosk, every checkbox, radio, select, file
input and legend has a box a person can see and click (KRDS's reset clips bare checkboxes
and legends to 1×1 px, which axe-core does not notice), and Tab reaches every control.
Each page visited is saved as a screenshot (``test-results/screenshots/``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from minwon.accounts.identity import register_demo_contact
from minwon.accounts.models import User
from minwon.documents import render, signing
from minwon.kernel import execute, rrn
from minwon.kernel.types import Actor, Channel
from minwon.petitions import catalog
from minwon.petitions.commands import LoadPetitionCatalog
from minwon.registry import queries as registry_queries
from tests.conftest import PASSWORD, sent_code
from tests.e2e.conftest import install_kiosk, log_in, prove_at_kiosk
from tests.e2e.controls import control_problems, screenshot, unreachable_by_keyboard
from tests.registry import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITIZEN_RRN = rrn.with_check_digit("820303100001")
KIOSK_RRN = rrn.with_check_digit("790404100002")


@pytest.fixture
def site(
    jurisdictions_loaded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    make_citizen: Callable[..., User],
) -> User:  # fmt: skip
    monkeypatch.setenv("MINWON_KEYS_DIR", str(tmp_path / "keys"))
    signing.reset_cache()
    render._static.cache_clear()
    data = catalog.read()
    execute(
        LoadPetitionCatalog(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction="0000000000",
            version=data["version"], types=data["types"],
        )
    )  # fmt: skip
    head = factories.register("김민원", number=CITIZEN_RRN)
    household = registry_queries.household_of(head)
    assert household is not None
    factories.register(
        "김하나", household_id=household.pk, relationship="child",
        number=rrn.with_check_digit("120505300003"),
    )  # fmt: skip
    factories.register("박키오", number=KIOSK_RRN)
    return make_citizen(number=CITIZEN_RRN, name="김민원")


def _check(page: Any, name: str) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    assert control_problems(page) == [], page.url
    assert unreachable_by_keyboard(page) == [], page.url


def test_citizen_pages_show_every_control(page: Any, site: User) -> None:
    for name, url in [
        ("citizen-01-home", "/"),
        ("citizen-02-login", "/accounts/login/"),
        ("citizen-03-sign-up", "/accounts/sign-up/"),
        ("citizen-04-track", "/track/"),
        ("citizen-05-verify", "/verify/"),
    ]:
        page.goto(url)
        _check(page, name)
    log_in(page, site.username, PASSWORD)
    for name, url in [
        ("citizen-06-apply", "/petitions/apply/"),
        ("citizen-07-mine", "/petitions/mine/"),
        ("citizen-08-certificates", "/certificates/"),
        ("citizen-09-household", "/registry/household/"),
        ("citizen-10-move-in", "/registry/move-in/"),
        ("citizen-11-inbox", "/inbox/"),
    ]:
        page.goto(url)
        _check(page, name)
    # The checkbox ticked by default is one a person can see and untick.
    page.goto("/certificates/")
    relationship = page.get_by_label("세대주와의 관계 표시")
    assert relationship.is_checked()
    relationship.click()
    assert not relationship.is_checked()
    page.get_by_text("세대주와의 관계 표시").click()
    assert relationship.is_checked()


def test_kiosk_pages_show_every_control(page: Any, site: User) -> None:
    install_kiosk(page)
    page.goto("/kiosk/")
    _check(page, "kiosk-01-home")
    page.get_by_role("link", name="증명서 발급 시작").click()
    register_demo_contact(KIOSK_RRN, name="박키오", email="kio@carrier.example")
    page.get_by_label("성명").fill("박키오")
    page.get_by_label("주민등록번호").fill(KIOSK_RRN)
    _check(page, "kiosk-02-identity")
    page.get_by_role("button", name="확인").click()
    page.get_by_label("인증번호").fill(sent_code("kio@carrier.example"))
    _check(page, "kiosk-02b-code")
    page.get_by_role("button", name="확인").click()
    _check(page, "kiosk-03-certificates")
    page.get_by_role("link", name="주민등록표 (등본) 200원").click()
    _check(page, "kiosk-04-options")
    page.get_by_role("button", name="큰 글씨").click()
    page.get_by_role("button", name="고대비").click()
    page.wait_for_timeout(500)
    _check(page, "kiosk-05-options-large-contrast")
    box = page.get_by_label("과거 주소 변동 사항 포함").bounding_box()
    assert box is not None and box["width"] >= 32 and box["height"] >= 32

    page.goto("/kiosk/petitions/")
    prove_at_kiosk(page, KIOSK_RRN, "박키오")
    page.wait_for_url("**/kiosk/petitions/types/")
    _check(page, "kiosk-06-petition-types")
    page.locator('[data-type-code="RENTAL_REPORT"]').click()
    _check(page, "kiosk-07-petition-form")
    legend = page.locator("fieldset.kiosk-documents legend")
    assert legend.is_visible() and (legend.bounding_box() or {}).get("height", 0) >= 16

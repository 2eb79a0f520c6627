"""Browser tests: real Chromium (Debian's ``chromium``) driven by Playwright, against the
app served by pytest-django's ``live_server``.

Fixtures: ``browser`` (session), ``page`` (a fresh context on the live server, failing the
test on any CSP violation or page error), and helpers ``axe_violations(page)`` and
``log_in(page, base_url, username, password)``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import minwon

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make from that thread are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MINWON_CHROMIUM", "/usr/bin/chromium")
AXE = Path(minwon.__file__).parent / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="ko-KR", base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    tab.minwon_problems = problems
    yield tab
    context.close()
    assert not problems, problems


def axe_violations(
    page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[dict[str, Any]]:
    """Run axe-core in the page (evaluated through DevTools, so the page's CSP still holds)
    and return the violations of the given impacts. Running CSS transitions are let finish
    first: axe reads computed colours, and KRDS gives every button a colour transition, so a
    button caught half-way after a click reads as low contrast."""
    page.evaluate(
        "async () => { await Promise.all(document.getAnimations()"
        ".filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)"
        ".map(a => a.finished.catch(() => null))); }"
    )
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def log_in(page: Any, username: str, password: str, *, next_url: str = "") -> None:
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").last.click()
    page.wait_for_load_state()


def prove_at_kiosk(page: Any, number: str, name: str) -> None:
    """The kiosk's 본인 확인 in the browser: name and number, then the one-time code the
    demo verifier sent to the contact registered for them (read from the test outbox)."""
    from minwon.accounts.identity import register_demo_contact
    from tests.conftest import sent_code

    email = f"{name}@carrier.example"
    register_demo_contact(number, name=name, email=email)
    page.get_by_label("성명").fill(name)
    page.get_by_label("주민등록번호").fill(number)
    page.get_by_role("button", name="확인").click()
    page.get_by_label("인증번호").fill(sent_code(email))
    assert axe_violations(page) == []
    page.get_by_role("button", name="확인").click()


def install_kiosk(page: Any, office: str = "5113000000") -> str:
    """Make the browser of ``page`` an enrolled kiosk of ``office``: the device enrolled
    through its command, then installed on the hand-over page as an administrator does
    at the kiosk. Returns the device id."""
    from tests.conftest import enrol_kiosk

    device_id, code = enrol_kiosk(office)
    page.goto("/kiosk/enrol/")
    page.get_by_label("등록 코드").fill(code)
    page.get_by_role("button", name="이 기기 등록").click()
    page.get_by_role("heading", name="설치를 마쳤습니다").wait_for()
    return device_id

"""The situation room's times as a person reads them: the charts' time axis in Korea time
(the browser set to UTC on purpose), written "08:00" with the date above the first tick,
the span in words above the charts, and the component board in Korean — read from the
page, with a screenshot kept as an artefact."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from minwon.kernel import clock
from minwon.kernel.clock import SEOUL
from minwon.kernel.types import NATION
from minwon.ops import health, rollups
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.e2e.controls import screenshot
from tests.ops.conftest import issue

pytestmark = pytest.mark.browser

# 08:30 on Wednesday 2 December in Seoul is 23:30 on Tuesday 1 December in UTC: an axis
# in UTC would read 18:00 … 23:00 and the wrong day.
ANCHOR = datetime(2026, 12, 2, 8, 30, tzinfo=SEOUL)


@pytest.fixture
def anchored_clock() -> Iterator[None]:
    """The server's clock (every thread, the live server's too) near ``ANCHOR``."""
    previous = clock.offset()
    clock.set_offset(ANCHOR - clock.wall())
    try:
        yield
    finally:
        clock.set_offset(previous)


@pytest.fixture
def utc_page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="ko-KR", timezone_id="UTC", base_url=live_server.url,
        viewport={"width": 1280, "height": 1000},
    )  # fmt: skip
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_chart_axes_and_span_are_in_korea_time(
    utc_page: Any, make_staff: Any, anchored_clock: None
) -> None:
    from playwright.sync_api import expect

    rollups.discard_pending()
    health.clear_cache()
    for minutes in (200, 90, 20):  # a few issuances over the last hours, to draw lines
        issue(at=ANCHOR - timedelta(minutes=minutes))
    operator = make_staff("operator", NATION)
    page = utc_page
    log_in(page, operator.username, PASSWORD, next_url="/ops/")
    page.goto("/ops/")
    chart = page.locator("#chart-work")
    expect(chart).to_have_attribute("data-x-ticks", re.compile(r".+"))
    ticks = chart.get_attribute("data-x-ticks").split("|")
    # The first tick carries the Seoul date, then hours and minutes; all within 02:30–08:3x.
    assert ticks[0].startswith("12월 2일\n"), ticks
    times = [t.split("\n")[-1] for t in ticks]
    assert all(re.fullmatch(r"\d\d:\d\d", t) for t in times), ticks
    hours = {int(t[:2]) for t in times}
    assert hours <= set(range(2, 9)) and len(hours) >= 3, ticks
    assert not any("\n" in t for t in ticks[1:]), ticks  # one day: the date is said once
    assert "AM" not in "".join(ticks) and "PM" not in "".join(ticks)

    span = page.get_by_test_id("chart-range")
    expect(span).to_have_text(re.compile(r"^2026년 12월 2일 \(수\) 02:3\d ~ 08:3\d \(한국 시간\)$"))
    expect(page.locator("#ops-clock")).to_have_text(
        re.compile(r"^2026년 12월 2일 \(수\) 08:3\d:\d\d$")
    )
    board = page.locator("#ops-health")
    expect(board.locator('[data-component="database"] .ops-component-status')).to_contain_text(
        "정상"
    )
    expect(board.get_by_test_id("overall")).not_to_have_text(re.compile("[A-Z]{3,}"))
    shot = screenshot(page, "ops-room-korea-time")
    assert shot.stat().st_size > 10_000

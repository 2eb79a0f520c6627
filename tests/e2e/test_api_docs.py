"""Browser: /api/docs renders Swagger UI from the app's own static files under its CSP
(no CDN, no inline script) and lists every operation of the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest

from minwon.web.api import api
from tests.e2e.controls import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_show_the_operations(page: Any, live_server: Any) -> None:
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((live_server.url, "data:")) else elsewhere.append(r.url),
    )
    response = page.goto("/api/docs")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    shown = page.locator(".opblock-summary-path").all_inner_texts()
    expected = set(api.get_openapi_schema()["paths"])
    assert {p.replace("\u200b", "").strip() for p in shown} == expected
    page.locator(".opblock-summary", has_text="/api/certificates").first.click()
    page.wait_for_selector(".opblock-body")
    screenshot(page, "api-docs")
    assert elsewhere == [], elsewhere  # nothing from a CDN

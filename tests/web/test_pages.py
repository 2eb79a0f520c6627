"""The shell's pages render, in Korean and English, and errors tell a person what to do."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_citizen_home_korean_by_default() -> None:
    response = Client().get("/")
    assert response.status_code == 200
    assert 'lang="ko"' in response.content.decode()


def test_language_switch_to_english() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/").content.decode()


def test_not_found_page_is_helpful() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "처음" in response.content.decode() or "주소" in response.content.decode()


def test_staff_portal_needs_log_in() -> None:
    response = Client().get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

"""The English translation: chosen through the language switch or the language cookie, the
citizen home and the login page speak English, headings and buttons carry no Korean left
untranslated, and a visitor who chose nothing still gets Korean."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
LOGIN = "/accounts/login/"


class _Texts(HTMLParser):
    """Collects the text of every <h1> and <button> on a page."""

    WATCHED = ("h1", "button")

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {tag: [] for tag in self.WATCHED}
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.WATCHED:
            self._open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            name, parts = self._open.pop()
            self.found[name].append(" ".join("".join(parts).split()))

    def handle_data(self, data: str) -> None:
        for _, parts in self._open:
            parts.append(data)


def texts(html: str) -> dict[str, list[str]]:
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return parser.found


def english_client() -> Client:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def cookie_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def assert_no_korean(found: dict[str, list[str]]) -> None:
    for tag, values in found.items():
        for value in values:
            assert not HANGUL.search(value), f"untranslated Korean in <{tag}>: {value!r}"


def test_citizen_home_in_english() -> None:
    response = english_client().get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en"' in html
    found = texts(html)
    assert found["h1"] == ["How can we help?"]
    assert "Change language" in found["button"]
    assert_no_korean(found)
    assert "Civil petition services" in html
    assert "Skip to main content" in html
    assert "Sign in" in html


def test_login_page_in_english_via_cookie() -> None:
    response = cookie_client().get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en"' in html
    found = texts(html)
    assert found["h1"] == ["Sign in"]
    assert "Sign in" in found["button"]
    assert "Change language" in found["button"]
    assert_no_korean(found)
    assert "Username" in html
    assert "Password" in html
    assert "(required)" in html


def test_login_page_in_english_after_switch() -> None:
    found = texts(english_client().get(LOGIN).content.decode())
    assert found["h1"] == ["Sign in"]
    assert_no_korean(found)


def test_korean_remains_the_default() -> None:
    client = Client()
    home = client.get("/").content.decode()
    assert 'lang="ko"' in home
    assert texts(home)["h1"] == ["무엇을 도와드릴까요?"]
    assert "How can we help?" not in home
    login = texts(client.get(LOGIN).content.decode())
    assert login["h1"] == ["로그인"]
    assert "로그인" in login["button"]
    assert "언어 변경" in login["button"]


def test_switching_back_to_korean() -> None:
    client = english_client()
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert response.status_code == 302
    assert texts(client.get("/").content.decode())["h1"] == ["무엇을 도와드릴까요?"]

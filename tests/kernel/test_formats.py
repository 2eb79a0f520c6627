"""The one formatting layer: instants in Asia/Seoul words whatever they were stored in,
dates, durations, won amounts and the labels of the codes citizens see."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import translation

from minwon.kernel import formats
from minwon.kernel.clock import SEOUL

DEADLINE_UTC = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)  # 18:00 in Seoul, a Thursday


def test_an_instant_is_written_in_seoul_time_in_korean_and_english() -> None:
    assert formats.instant(DEADLINE_UTC, "ko") == "2026년 12월 10일 (목) 18:00"
    assert formats.instant(DEADLINE_UTC, "en") == "Thu 10 Dec 2026, 18:00"
    assert formats.instant(DEADLINE_UTC.isoformat(), "ko") == "2026년 12월 10일 (목) 18:00"
    assert formats.instant("2026-12-01T18:51:35.701509+00:00", "ko") == "2026년 12월 2일 (수) 03:51"
    assert formats.instant(datetime(2026, 12, 10, 18, 0), "ko").endswith("18:00")  # naive = Seoul
    assert formats.instant(None) == "" and formats.instant("") == ""


def test_the_page_language_is_followed_when_none_is_given() -> None:
    with translation.override("en"):
        assert formats.instant(DEADLINE_UTC) == "Thu 10 Dec 2026, 18:00"
        assert formats.fee(0) == "Free"
        assert formats.label("channel", "kiosk") == "Unmanned kiosk"
    with translation.override("ko"):
        assert formats.instant(DEADLINE_UTC) == "2026년 12월 10일 (목) 18:00"
        assert formats.fee(0) == "무료"


def test_dates_and_short_forms() -> None:
    assert formats.day(date(2026, 12, 10), "ko") == "2026년 12월 10일 (목)"
    assert formats.day(date(2026, 12, 10), "en") == "Thu 10 Dec 2026"
    assert formats.day("2026-12-10", "ko") == "2026년 12월 10일 (목)"
    # 2026-12-10 20:00 UTC is already the 11th in Seoul.
    assert formats.day(datetime(2026, 12, 10, 20, 0, tzinfo=UTC), "ko") == "2026년 12월 11일 (금)"
    assert formats.compact(DEADLINE_UTC) == "2026.12.10 18:00"
    assert formats.seoul(DEADLINE_UTC) == datetime(2026, 12, 10, 18, 0, tzinfo=SEOUL)


def test_durations_and_money() -> None:
    assert formats.duration(timedelta(days=2, hours=3, minutes=5), "ko") == "2일 3시간 5분"
    assert formats.duration(timedelta(days=1, hours=1), "en") == "1 day 1 hour"
    assert formats.duration(42, "ko") == "42초" and formats.duration(1, "en") == "1 second"
    assert formats.money(3000, "ko") == "3,000원" and formats.money(3000, "en") == "KRW 3,000"
    assert formats.fee(1400, "ko") == "1,400원" and formats.fee(0, "ko") == "무료"


def test_every_code_a_citizen_sees_has_korean_words_and_an_english_translation() -> None:
    for kind, codes in formats.LABELS.items():
        for code in codes:
            korean, english = formats.label(kind, code, "ko"), formats.label(kind, code, "en")
            assert korean != code and english != korean, (kind, code, english)
    assert formats.label("channel", "online", "ko") == "온라인"
    assert formats.label("payment", "free", "ko") == "무료"
    assert formats.label("severity", "major", "ko") == "중대"
    assert formats.label("step", "request_supplement", "ko") == "보완 요구"
    assert formats.label("channel", "unheard-of", "ko") == "unheard-of"


def test_processing_periods_in_both_languages() -> None:
    assert formats.period("immediate", 0, "ko") == "즉시"
    assert formats.period("immediate", 0, "en") == "Immediately"
    assert formats.period("days", 14, "ko") == "14일" and formats.period("days", 1, "en") == "1 day"
    assert formats.period("months", 2, "en") == "2 months"

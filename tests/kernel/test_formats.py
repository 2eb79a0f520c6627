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


def test_working_time_left_reads_as_days_and_hours_never_a_signed_number() -> None:
    # 1일 = 8 working hours (민원처리법 시행령 제19조).
    assert formats.time_left(26, "ko") == "3일 2시간 남음"
    assert formats.time_left(-26, "ko") == "3일 2시간 경과"
    assert formats.time_left(-193.0, "ko") == "24일 1시간 경과"  # was "기한 경과 -193.0"
    assert formats.time_left(5.5, "ko") == "5시간 30분 남음"
    assert formats.time_left(-0.25, "ko") == "15분 경과"
    assert formats.time_left(8, "ko") == "1일 남음"
    assert formats.time_left(0, "ko") == "기한 도래"
    assert formats.time_left(None, "ko") == ""
    assert formats.time_left(-26, "en") == "3 days 2 hours overdue"
    assert formats.time_left(1, "en") == "1 hour left"


def test_elapsed_calendar_time_and_ranges() -> None:
    start = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 08:30 on the 2nd in Seoul
    assert formats.elapsed(start, start + timedelta(days=3, hours=2, minutes=7)) == "3일 2시간 경과"
    assert formats.elapsed(start, start + timedelta(minutes=42), "ko") == "42분 경과"
    assert formats.elapsed(start, start + timedelta(seconds=20), "ko") == "방금"
    assert formats.elapsed(start, start + timedelta(hours=1), "en") == "1 hour ago"
    six = start - timedelta(hours=6)
    assert formats.instant_range(six, start, "ko") == "2026년 12월 2일 (수) 02:30 ~ 08:30"
    assert (
        formats.instant_range(start - timedelta(hours=12), start, "ko")
        == "2026년 12월 1일 (화) 20:30 ~ 2026년 12월 2일 (수) 08:30"
    )


def test_who_acted_is_named_for_people() -> None:
    assert formats.actor("staff:7", "정우성 (민원여권과 처리 담당)", "ko") == (
        "정우성 (민원여권과 처리 담당)"
    )
    assert formats.actor("citizen:3", "citizen1", "ko") == "민원인"  # never a login name
    assert formats.actor("system:-", "petitions-sweep", "ko") == "시스템(자동)"
    assert formats.actor("anonymous:-", "kiosk-wonju-1", "ko") == "무인민원발급기 kiosk-wonju-1"
    assert formats.actor("anonymous:-", "", "ko") == "민원인"
    assert formats.label("health", "unknown", "ko") == "확인 중"

"""How minwon writes instants, dates, durations, money and codes for people: one layer for
pages (the ``minwon_format`` template filters), PDFs and e-mails (these plain functions).

Every instant is shown in Asia/Seoul whatever it was stored in (UTC from the database, an
ISO string from a read model). Korean: ``2026년 12월 10일 (목) 18:00``; English:
``Thu 10 Dec 2026, 18:00``. Codes a citizen may see (channels, payment methods, workflow
steps, severities) have labels here; their msgids are Korean, like every UI string, with
the kind as message context (a step's "접수" is "Received", a button's is "Receive"), and
``locale/en`` has the English. A code without a label is shown as it is, never hidden.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, override, pgettext_lazy

from minwon.kernel import clock
from minwon.kernel.clock import SEOUL

WEEKDAYS_KO = "월화수목금토일"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip

#: Labels of the codes citizens see, by kind (Korean msgids, English in locale/en).
LABELS: dict[str, dict[str, Promise]] = {
    "channel": {
        "online": pgettext_lazy("channel", "온라인"),
        "counter": pgettext_lazy("channel", "창구 방문"),
        "kiosk": pgettext_lazy("channel", "무인민원발급기"),
        "mail": pgettext_lazy("channel", "우편"),
        "agency": pgettext_lazy("channel", "기관 연계"),
        "edge": pgettext_lazy("channel", "창구(연속성 모드)"),
        "system": pgettext_lazy("channel", "시스템"),
    },
    "payment": {
        "free": pgettext_lazy("payment", "무료"),
        "exempt": pgettext_lazy("payment", "수수료 면제"),
        "card": pgettext_lazy("payment", "카드"),
        "cash": pgettext_lazy("payment", "현금"),
    },
    "card_brand": {
        "visa": pgettext_lazy("card_brand", "비자"),
        "mastercard": pgettext_lazy("card_brand", "마스터카드"),
        "amex": pgettext_lazy("card_brand", "아메리칸 익스프레스"),
        "domestic": pgettext_lazy("card_brand", "국내 전용 카드"),
    },
    "payment_status": {
        "approved": pgettext_lazy("payment_status", "결제 완료"),
        "partly_refunded": pgettext_lazy("payment_status", "일부 환불"),
        "refunded": pgettext_lazy("payment_status", "환불 완료"),
    },
    "payment_purpose": {
        "petition": pgettext_lazy("payment_purpose", "민원 수수료"),
        "certificate": pgettext_lazy("payment_purpose", "증명서 발급 수수료"),
    },
    "severity": {
        "critical": pgettext_lazy("severity", "긴급"),
        "major": pgettext_lazy("severity", "중대"),
        "minor": pgettext_lazy("severity", "경미"),
        "warning": pgettext_lazy("severity", "주의"),
        "info": pgettext_lazy("severity", "안내"),
    },
    "step": {
        "received": pgettext_lazy("step", "접수"),
        "decided_by_rule": pgettext_lazy("step", "자동 처리"),
        "assign": pgettext_lazy("step", "배정"),
        "start_review": pgettext_lazy("step", "검토 시작"),
        "request_supplement": pgettext_lazy("step", "보완 요구"),
        "supplement": pgettext_lazy("step", "보완 제출"),
        "return": pgettext_lazy("step", "반려"),
        "extend": pgettext_lazy("step", "처리기간 연장"),
        "decide": pgettext_lazy("step", "처리 결과 결정"),
        "draft": pgettext_lazy("step", "결재 요청(기안)"),
        "approve": pgettext_lazy("step", "결재"),
        "return_draft": pgettext_lazy("step", "결재 반려"),
        "deliver": pgettext_lazy("step", "결과 통지·교부"),
        "transfer": pgettext_lazy("step", "이송"),
        "transfer_in": pgettext_lazy("step", "이송 접수"),
        "withdraw": pgettext_lazy("step", "취하"),
        "close": pgettext_lazy("step", "종결"),
        "progress_notice": pgettext_lazy("step", "처리 진행 상황 안내"),
        "reminder": pgettext_lazy("step", "처리기한 임박 알림"),
        "escalate": pgettext_lazy("step", "처리기한 경과 보고"),
        "calendar_change": pgettext_lazy("step", "처리기한 변경(공휴일)"),
    },
    "state": {
        "received": pgettext_lazy("state", "접수"),
        "assigned": pgettext_lazy("state", "배정"),
        "in_review": pgettext_lazy("state", "검토 중"),
        "supplement_requested": pgettext_lazy("state", "보완 요구"),
        "awaiting_approval": pgettext_lazy("state", "결재 중"),
        "decided": pgettext_lazy("state", "처리 완료"),
        "notified": pgettext_lazy("state", "통지 완료"),
        "transferred": pgettext_lazy("state", "이송"),
        "withdrawn": pgettext_lazy("state", "취하"),
        "returned": pgettext_lazy("state", "반려(보완 미이행)"),
        "closed": pgettext_lazy("state", "종결"),
    },
    # Form fields named in error messages ("항목: 발급 대상"), shared by pages and kiosks.
    "field": {
        "subject": pgettext_lazy("field", "발급 대상"),
        "subject_ref": pgettext_lazy("field", "토지 고유번호 · 자동차등록번호 · 영업 신고번호"),
        "cert_type": pgettext_lazy("field", "증명서 종류"),
        "payment_method": pgettext_lazy("field", "결제 방법"),
        "history_from": pgettext_lazy("field", "주소 변동 기간"),
        "history_to": pgettext_lazy("field", "주소 변동 기간"),
        "purpose": pgettext_lazy("field", "사용 목적"),
        "delegate_name": pgettext_lazy("field", "대리인 성명"),
        "power_of_attorney": pgettext_lazy("field", "위임장 확인 번호"),
        "applicant_index": pgettext_lazy("field", "본인 확인"),
        "channel": pgettext_lazy("field", "발급 경로"),
        "file": pgettext_lazy("field", "증명서 PDF 파일"),
        "number": pgettext_lazy("field", "문서확인번호"),
        "code": pgettext_lazy("field", "확인코드"),
        "state": pgettext_lazy("field", "처리 상태"),
        # The officer's petition actions (처리: 배정, 보완 요구, 연장, 결정, 이송 …).
        "period": pgettext_lazy("field", "연장 기간"),
        "reason": pgettext_lazy("field", "사유"),
        "due_date": pgettext_lazy("field", "보완 기한"),
        "items_needed": pgettext_lazy("field", "보완할 사항"),
        "department": pgettext_lazy("field", "부서"),
        "to": pgettext_lazy("field", "이송할 기관"),
        "outcome": pgettext_lazy("field", "결과"),
        "method": pgettext_lazy("field", "교부 방법"),
        "applicant_consent": pgettext_lazy("field", "민원인 동의"),
        "card_number": pgettext_lazy("field", "카드 번호"),
        "card_expiry": pgettext_lazy("field", "카드 유효기간"),
    },
    # The situation room's health board (구성요소 상태).
    "health": {
        "unknown": pgettext_lazy("health", "확인 중"),
        "green": pgettext_lazy("health", "정상"),
        "amber": pgettext_lazy("health", "주의"),
        "red": pgettext_lazy("health", "장애"),
    },
    "mode": {
        "normal": pgettext_lazy("mode", "정상 발급"),
        "continuity": pgettext_lazy("mode", "연속성 모드 발급"),
    },
}


def _lang(lang: str | None) -> str:
    code = (lang or get_language() or "ko").lower()
    return "en" if code.startswith("en") else "ko"


def _translated(text: str | Promise, lang: str | None) -> str:
    if lang is None:
        return gettext(text) if isinstance(text, str) else str(text)
    with override(_lang(lang)):
        return gettext(text) if isinstance(text, str) else str(text)


def seoul(value: datetime | str | None) -> datetime | None:
    """``value`` as an aware datetime in Asia/Seoul; ISO strings are parsed, naive values
    are taken as Seoul time (as ``kernel.clock.local`` does)."""
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SEOUL)
    return moment.astimezone(SEOUL)


def day(value: date | datetime | str | None, lang: str | None = None) -> str:
    """``2026년 12월 10일 (목)`` / ``Thu 10 Dec 2026``; a datetime is first put in Seoul."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = seoul(value) if "T" in value or " " in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = seoul(value)
    assert isinstance(value, date)
    if _lang(lang) == "en":
        return (
            f"{WEEKDAYS_EN[value.weekday()]} {value.day} {MONTHS_EN[value.month - 1]} {value.year}"
        )
    return f"{value.year}년 {value.month}월 {value.day}일 ({WEEKDAYS_KO[value.weekday()]})"


def instant(value: datetime | str | None, lang: str | None = None) -> str:
    """``2026년 12월 10일 (목) 18:00`` / ``Thu 10 Dec 2026, 18:00``, in Asia/Seoul."""
    moment = seoul(value)
    if moment is None:
        return ""
    clock = f"{moment:%H:%M}"
    return (
        f"{day(moment, lang)}, {clock}" if _lang(lang) == "en" else f"{day(moment, lang)} {clock}"
    )


def instant_range(start: datetime | str | None, end: datetime | str | None,
                  lang: str | None = None) -> str:  # fmt: skip
    """``2026년 12월 2일 (수) 02:30 ~ 08:30`` (the end's date only when it differs), Seoul."""
    a, b = seoul(start), seoul(end)
    if a is None or b is None:
        return instant(a or b, lang)
    tail = f"{b:%H:%M}" if a.date() == b.date() else instant(b, lang)
    return f"{instant(a, lang)} ~ {tail}"


def compact(value: datetime | str | None) -> str:
    """``2026.12.10 18:00`` (Seoul) where space is short, e.g. a PDF's header line."""
    moment = seoul(value)
    return f"{moment:%Y.%m.%d %H:%M}" if moment else ""


def duration(value: timedelta | float | int | None, lang: str | None = None) -> str:
    """``2일 3시간 5분`` / ``2 days 3 hours 5 minutes``; under a minute in seconds."""
    if value is None:
        return ""
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    english = _lang(lang) == "en"
    parts: list[str] = []
    for amount, ko, en in ((days, "일", "day"), (hours, "시간", "hour"), (minutes, "분", "minute")):
        if amount:
            parts.append(
                f"{amount} {en}{'s' if amount != 1 else ''}" if english else f"{amount}{ko}"
            )
    if not parts:
        parts.append(f"{secs} second{'s' if secs != 1 else ''}" if english else f"{secs}초")
    return " ".join(parts)


#: A working day in the law's reckoning (민원처리법 시행령 제19조: 1일은 8시간).
WORKING_DAY_HOURS = 8


def _span(minutes: int, day_minutes: int, english: bool) -> str:
    """``3일 2시간`` / ``5시간 30분`` / ``40분``: days and hours when a day or more, hours and
    minutes under a day, minutes under an hour (what a person reads at a glance)."""
    days, rest = divmod(minutes, day_minutes)
    hours, mins = divmod(rest, 60)
    amounts = ((days, "일", "day"), (hours, "시간", "hour")) if days else (
        (hours, "시간", "hour"), (mins, "분", "minute"))  # fmt: skip
    parts = [
        (f"{n} {en}{'s' if n != 1 else ''}" if english else f"{n}{ko}")
        for n, ko, en in amounts
        if n
    ]
    return " ".join(parts) or ("0 minutes" if english else "0분")


def working_span(working_hours: float, lang: str | None = None) -> str:
    """A length of working time as the law counts it: ``1일 4시간`` for 12 hours."""
    return _span(abs(round(float(working_hours) * 60)), WORKING_DAY_HOURS * 60,
                 _lang(lang) == "en")  # fmt: skip


def time_left(working_hours: float | None, lang: str | None = None) -> str:
    """Working time to a deadline, counted as the law counts it (1일 = 근무 8시간):
    ``3일 2시간 남음`` / ``3 days 2 hours left``, or once past it ``3일 2시간 경과`` /
    ``3 days 2 hours overdue`` — never a signed number of hours."""
    if working_hours is None or working_hours == "":
        return ""
    minutes = round(float(working_hours) * 60)
    english = _lang(lang) == "en"
    if minutes == 0:
        return "due now" if english else "기한 도래"
    text = _span(abs(minutes), WORKING_DAY_HOURS * 60, english)
    if minutes < 0:
        return f"{text} overdue" if english else f"{text} 경과"
    return f"{text} left" if english else f"{text} 남음"


def elapsed(since: datetime | str | None, now: datetime | None = None,
            lang: str | None = None) -> str:  # fmt: skip
    """Calendar time since ``since``: ``3일 2시간 경과`` / ``3 days 2 hours ago`` (the
    situation room's "since when"); under a minute ``방금`` / ``just now``."""
    moment = seoul(since)
    if moment is None:
        return ""
    now = now or clock.now()
    minutes = int((now - moment).total_seconds() // 60)
    english = _lang(lang) == "en"
    if minutes < 1:
        return "just now" if english else "방금"
    text = _span(minutes, 24 * 60, english)
    return f"{text} ago" if english else f"{text} 경과"


def period(unit: str, amount: int, lang: str | None = None) -> str:
    """A legal processing period: ``즉시``, ``3일``, ``1개월`` / ``Immediately``, ``3 days``."""
    english = _lang(lang) == "en"
    if unit == "immediate":
        return "Immediately" if english else "즉시"
    ko = {"hours": "시간", "days": "일", "weeks": "주", "months": "개월", "years": "년"}
    en = {"hours": "hour", "days": "day", "weeks": "week", "months": "month", "years": "year"}
    if english:
        return f"{amount} {en[unit]}{'s' if amount != 1 else ''}"
    return f"{amount}{ko[unit]}"


def money(amount: int | None, lang: str | None = None) -> str:
    """``3,000원`` / ``KRW 3,000``."""
    value = int(amount or 0)
    return f"KRW {value:,}" if _lang(lang) == "en" else f"{value:,}원"


def fee(amount: int | None, lang: str | None = None) -> str:
    """A fee: ``무료`` / ``Free`` when nil, else the amount in won."""
    if not amount:
        return _translated("무료", lang)
    return money(amount, lang)


def label(kind: str, code: str | None, lang: str | None = None) -> str:
    """The words for ``code`` of ``kind`` (``channel``, ``payment``, ``severity``,
    ``step``, ``state``, ``mode``, ``field``) in the current or given language."""
    if code is None or code == "":
        return ""
    text = LABELS.get(kind, {}).get(str(code))
    return _translated(text, lang) if text is not None else str(code)


def actor(ref: str, name: str = "", lang: str | None = None) -> str:
    """Who acted on a record, for people: staff by the name recorded with the step (name,
    부서, 직무), a kiosk by its device name, the applicant as 민원인, the system as such —
    never an actor reference (``staff:12``) or a login name of a citizen."""
    kind = (ref or "").partition(":")[0]
    if kind == "staff":
        return name or _translated(pgettext_lazy("actor", "담당 공무원"), lang)
    if kind == "system":
        return _translated(pgettext_lazy("actor", "시스템(자동)"), lang)
    if kind == "agency":
        return name or _translated(pgettext_lazy("actor", "기관 연계"), lang)
    if kind == "anonymous" and name:
        return f"{_translated(LABELS['channel']['kiosk'], lang)} {name}"
    return _translated(pgettext_lazy("actor", "민원인"), lang)


def korean(kind: str, code: str) -> str:
    """The Korean label as plain text (for stored read models and Korean messages)."""
    return label(kind, code, "ko")


CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"


def choseong(text: str) -> str:
    """The initial consonants of ``text``'s Hangul syllables (``대형폐기물`` → ``ㄷㅎㅍㄱㅁ``),
    other characters kept, for 초성 search ("ㄷㅎㅍ" finds 대형폐기물)."""
    out = []
    for char in text:
        code = ord(char) - 0xAC00
        out.append(CHOSEONG[code // 588] if 0 <= code < 11172 else char)
    return "".join(out)

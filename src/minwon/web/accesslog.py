"""The access log, and the redaction every log line passes through.

Personal data must never reach a log line (DESIGN §3.4). The access log therefore never
writes a query string at all: no form or endpoint takes an RRN, a PIN or a birth date there
(they post them; ``web.urlguard`` refuses a URL that still carries one), but a person can
type anything into the address bar, and a name has no shape a pattern could catch. The path
is written with anything shaped like a resident registration number or a birth date
replaced by ``[redacted]``. The same redaction is a logging filter on every handler of the
application (Django's "Internal Server Error: /path" included).

The log is written by :class:`AccessLog`, a WSGI wrapper, rather than by the server, so
granian and gunicorn write the same line through the same filter.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

REDACTED = "[redacted]"

# A separator as typed, or as a browser percent-encodes it.
_SEP = r"(?:-|\s|\+|%2[dD]|%20)?"
RRN = re.compile(r"(?<!\d)\d{6}" + _SEP + r"[1-8]\d{6}(?!\d)")
# A birth date is personal where it is one: after a birth-date key (``birth_date=``,
# ``"dob": "…"``, ``생년월일: …``) in any form, the six-digit 900101 included; or standing
# alone in a form people write a date of birth in (19900101, 1990-01-01, 1990.1.1,
# 1990/01/01, 1990년 1월 1일). A date that is part of a larger token — a file name such as
# an audit checkpoint's ``checkpoint-0000000012-20261201T233012Z-….json``, a timestamp
# (2026-12-01T23:30, 2026-12-01 23:30:00) — is not one, and stays readable.
_DSEP = r"(?:[-./]|%2[dDfFeE])"
_YEAR = r"(?:19|20)\d{2}"
_MONTH, _DAY = r"(?:0[1-9]|1[0-2])", r"(?:0[1-9]|[12]\d|3[01])"
_MONTH_1, _DAY_1 = r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12]\d|3[01])"
_DATE_FORMS = (
    _YEAR + _MONTH + _DAY,  # 19900101
    _YEAR + _DSEP + _MONTH_1 + _DSEP + _DAY_1,  # 1990-01-01, 1990.1.1, 1990%2F01%2F01
    _YEAR + r"\.\s?" + _MONTH_1 + r"\.\s?" + _DAY_1 + r"\.?",  # 1990. 1. 1.
    _YEAR + r"\s?년\s?" + _MONTH_1 + r"\s?월\s?" + _DAY_1 + r"\s?일",  # 1990년 1월 1일
)
_ANY_DATE = "(?:" + "|".join(_DATE_FORMS) + r"|\d{2}" + _MONTH + _DAY + ")"
BIRTH_KEY = re.compile(
    r"(?P<key>(?:생년월일|생일|출생일|date[_ -]?of[_ -]?birth|birth[_ -]?(?:date|day)?|dob)"
    r"(?:[\"'\]]|%22|%27)?\s*(?:[:=]|%3[aAdD])?\s*(?:[\"']|%22|%27)?\s*)"
    + "(?P<date>"
    + _ANY_DATE
    + r")(?!\d)",
    re.IGNORECASE,
)
# Alone: nothing of a word, a file name or a number glued before it, and no time, word or
# file extension after it.
BIRTH_DATE = re.compile(
    r"(?<![\w\-.+%])(?:" + "|".join(_DATE_FORMS) + r")"
    r"(?![\w\-%]|\.\w|[T\s]\d{1,2}:\d{2}|\s?\d{1,2}시)"
)
# A masked RRN shown on a page (900101-1******) still names a birth date and a sex.
MASKED_RRN = re.compile(r"(?<!\d)\d{6}" + _SEP + r"[1-8]\*{6}")


def redact(text: str) -> str:
    """``text`` with every RRN and masked RRN replaced, and every birth date where it is
    one (after a birth-date key, or alone in a form people write one in)."""
    if not any(c.isdigit() for c in text):
        return text
    text = RRN.sub(REDACTED, text)
    text = MASKED_RRN.sub(REDACTED, text)
    text = BIRTH_KEY.sub(lambda m: m["key"] + REDACTED, text)
    return BIRTH_DATE.sub(REDACTED, text)


class RedactPersonalData(logging.Filter):
    """A logging filter that rewrites a record's message (and its traceback) redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


access_logger = logging.getLogger("minwon.access")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class AccessLog:
    """WSGI wrapper: one line per request — client address, method, path (redacted), status
    and the time to the first byte in ms. Never the query string (module docstring)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["-"]

        def recording(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, exc_info)

        try:
            return self.app(environ, recording)
        finally:
            access_logger.info(
                '%s "%s %s%s" %s %.1fms',
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD", "-"),
                redact(environ.get("PATH_INFO", "")),
                "?…" if environ.get("QUERY_STRING") else "",
                status[0],
                (time.perf_counter() - started) * 1000,
            )

"""The access log, and the redaction every log line passes through.

Personal data must never reach a log line (DESIGN §3.4). The access log therefore never
writes a query string at all: the public tracking look-up carries a name, a birth date or a
PIN there (``/api/track/<receipt>?name=…&birth_date=…``), and a name has no shape a pattern
could catch. The path is written with anything shaped like a resident registration number
or a birth date replaced by ``[redacted]`` — the URLs never carry one, but a person can type
one into the address bar. The same redaction is a logging filter on every handler of the
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
# A birth date written with a four-digit year, with or without separators (19900101,
# 1990-01-01, 1990.01.01, 1990/01/01).
BIRTH_DATE = re.compile(
    r"(?<!\d)(?:19|20)\d{2}(?:[-./]|%2[dDfF])?(?:0[1-9]|1[0-2])(?:[-./]|%2[dDfF])?"
    r"(?:0[1-9]|[12]\d|3[01])(?!\d)"
)
# A masked RRN shown on a page (900101-1******) still names a birth date and a sex.
MASKED_RRN = re.compile(r"(?<!\d)\d{6}" + _SEP + r"[1-8]\*{6}")


def redact(text: str) -> str:
    """``text`` with every RRN-, masked-RRN- or birth-date-shaped value replaced."""
    if not any(c.isdigit() for c in text):
        return text
    text = RRN.sub(REDACTED, text)
    text = MASKED_RRN.sub(REDACTED, text)
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

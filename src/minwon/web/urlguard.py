"""No resident registration number, PIN or birth date in a URL (DESIGN §3.4).

A URL is written down everywhere a request passes — the browser's history and its address
bar, a proxy's log, the ``Referer`` of the next page, a bookmark. Every form and endpoint
that takes one of these values therefore takes it in a POST body, and
:class:`PersonalDataInURLMiddleware` refuses any request whose URL still carries one, with
a 400 that names the value in words a person uses, before a view can act on it. The access
log never writes a query string, so the refused value is never logged either.

:func:`personal_in_url` is also what the test suite's guard (``minwon.testing.plugin``)
applies to every URL the tests request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_plus

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render

from minwon.kernel.errors import ValidationFailed


@dataclass(frozen=True)
class Finding:
    """What a URL carries: ``kind`` is ``rrn``, ``pin`` or ``birth_date``; ``field`` the
    query parameter (``path`` for the path itself)."""

    kind: str
    field: str


# The words a person uses for each value (Korean with its particle, English).
WORDS = {
    "rrn": ("주민등록번호는", "A resident registration number"),
    "pin": ("확인번호(PIN)는", "A PIN"),
    "birth_date": ("생년월일은", "A birth date"),
}
# RRN-shaped, as a whole token: a receipt number whose random part happens to start with
# seven digits (51130-260309-7123456X-4) is not one.
_RRN = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:-|\s|\+)?[1-8]\d{6}(?![0-9A-Za-z])")


def _kind_of_key(key: str) -> str | None:
    k = key.strip().lower().replace("-", "_")
    if "rrn" in k or "resident_number" in k or "주민등록번호" in k:
        return "rrn"
    if k == "pin" or k.endswith("_pin") or k.startswith("pin_") or "확인번호" in k:
        return "pin"
    if "birth" in k or k == "dob" or "생년월일" in k or "생일" in k:
        return "birth_date"
    return None


def personal_in_url(path: str, query: str) -> Finding | None:
    """The first personal value in a request's path or query string, or ``None``.

    A parameter named for one of the values (``rrn``, ``subject_rrn``, ``pin``,
    ``birth_date``, …) with anything in it counts, and so does an RRN-shaped value under
    any name or in the path."""
    if _RRN.search(unquote_plus(path)):
        return Finding("rrn", "path")
    if not query:
        return None
    for key, value in parse_qsl(query, keep_blank_values=True):
        if not value.strip():
            continue
        kind = _kind_of_key(key)
        if kind:
            return Finding(kind, key)
        if _RRN.search(value):
            return Finding("rrn", key)
    return None


def refusal(finding: Finding) -> ValidationFailed:
    """The 400 for a URL carrying ``finding``: the value named, and where it belongs."""
    ko, en = WORDS[finding.kind]
    return ValidationFailed(
        f"{ko} 주소(URL)에 넣을 수 없습니다. 입력란에 입력해 보내세요(POST 본문).",
        f"{en} cannot be put in a URL (address); send it in the form or the POST body.",
        field=finding.field,
        code="personal_data_in_url",
    )


class PersonalDataInURLMiddleware:
    """Refuse (400) any request whose URL carries an RRN, a PIN or a birth date, before a
    view runs: JSON for ``/api/``, the 400 page otherwise. Last in ``MIDDLEWARE``, so the
    page renders with the session, the user and the CSP nonce like any other."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        finding = personal_in_url(request.path_info, request.META.get("QUERY_STRING", ""))
        if finding is None:
            return self.get_response(request)
        error = refusal(finding)
        # The page is rendered without the query: its links (log-in's ``?next=``) must not
        # carry the value on.
        # A copy: the WSGI environ itself stays as it came (the access log marks a query).
        request.META = {**request.META, "QUERY_STRING": ""}
        request.GET = QueryDict()
        if request.path_info.startswith("/api/"):
            return JsonResponse(error.as_dict(), status=400)
        return render(request, "400.html", {"error": error}, status=400)

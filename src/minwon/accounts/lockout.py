"""What a locked-out log-in gets: the API a JSON 429 like every other API error, pages the
"locked" page that says when to try again."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "locked_out",
                "message": "로그인 실패가 많아 잠시 잠겼습니다. 15분 뒤 다시 시도하세요.",
                "message_en": "Too many failed log-ins; try again in 15 minutes.",
                "field": "username",
            },
            status=429,
        )
    return render(request, "accounts/locked_out.html", status=429)

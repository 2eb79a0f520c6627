"""Staff sessions end after ``STAFF_IDLE_SECONDS`` without a request, and at most
``STAFF_MAX_SESSION_SECONDS`` after log-in, whatever the activity."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


class StaffSessionExpiryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key is None:
            # No session cookie: nobody is logged in, and ``request.user`` (lazy) need not
            # be loaded to know it.
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "kind", "") == "staff":
            now = time.time()
            session = request.session
            started = session.setdefault("staff_login_at", now)
            last = session.get("staff_seen_at", now)
            if (
                now - last > settings.STAFF_IDLE_SECONDS
                or now - started > settings.STAFF_MAX_SESSION_SECONDS
            ):
                logout(request)
                messages.info(
                    request, "오랫동안 사용하지 않아 로그아웃되었습니다. 다시 로그인하세요."
                )
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            # Write the session at most once a minute.
            if now - last > 60 or "staff_seen_at" not in session:
                session["staff_seen_at"] = now
        return self.get_response(request)

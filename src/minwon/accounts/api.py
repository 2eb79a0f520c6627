"""Staff API log-in: ``POST /api/auth/token`` → ``{"token"}``."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema

from minwon.accounts.actors import actor_for_user
from minwon.accounts.commands import IssueApiToken, RecordSignIn
from minwon.kernel import clock, execute
from minwon.kernel.errors import DomainError
from minwon.kernel.types import Channel
from minwon.web.api import ErrorOut, error_body, key_hash

router = Router(tags=["auth"])

TOKEN_LIFETIME = timedelta(hours=9)


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: str


class LockedOut(DomainError):
    status = 429
    code = "locked_out"


class BadCredentials(DomainError):
    status = 401
    code = "bad_credentials"


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    operation_id="AuthToken",
    summary="직원 토큰 발급 (staff token log-in)",
)
def token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    if not payload.username.strip() or not payload.password:
        raise BadCredentials(
            "아이디와 비밀번호를 입력하세요.", "Enter username and password.", field="username"
        )
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut(
            "로그인 실패가 많아 잠시 잠겼습니다. 15분 뒤 다시 시도하세요.",
            "Too many failed log-ins; try again in 15 minutes.",
            field="username",
        )
    if user is None or getattr(user, "kind", "") != "staff" or not user.is_active:
        raise BadCredentials(
            "아이디 또는 비밀번호가 맞지 않습니다.", "Wrong username or password.", field="password"
        )
    raw = secrets.token_urlsafe(32)
    expires = clock.now() + TOKEN_LIFETIME
    actor = actor_for_user(user)
    office = user.office_id or "0000000000"
    execute(
        IssueApiToken(
            actor=actor,
            channel=Channel.ONLINE,
            jurisdiction=office,
            token_hash=key_hash(raw),
            expires_at=expires,
        )
    )
    execute(
        RecordSignIn(actor=actor, channel=Channel.ONLINE, jurisdiction=office, method="api-token")
    )
    return TokenOut(token=raw, expires_at=expires.isoformat())


__all__ = ["error_body", "router"]

"""Per-client rate limiting for the public verification service (against enumeration of
document numbers), through Django's cache so a shared cache (Redis, memcached, database)
makes the limit hold across app servers; the default local-memory cache holds it per
process.

Limit: ``MINWON_VERIFY_RATE`` requests per ``MINWON_VERIFY_WINDOW`` seconds per client
address (default 30 per 60 s): a person checking documents never meets it, a script
guessing 10^15 numbers is stopped at once.
"""

from __future__ import annotations

import os
import time

from django.core.cache import cache
from django.http import HttpRequest

from minwon.kernel.errors import DomainError


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"


def limit() -> tuple[int, int]:
    return (
        int(os.environ.get("MINWON_VERIFY_RATE", "30")),
        int(os.environ.get("MINWON_VERIFY_WINDOW", "60")),
    )


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def check(request: HttpRequest, scope: str = "verify") -> None:
    """Count one request from the client; raise 429 past the limit (fixed window)."""
    allowed, window = limit()
    bucket = int(time.time() // window)
    key = f"minwon:rl:{scope}:{client_address(request)}:{bucket}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window + 1)
            count = 1
    if count > allowed:
        raise TooManyRequests(
            "진위확인 요청이 너무 많습니다. 잠시 후 다시 시도하세요.",
            "Too many verification requests; try again shortly.",
            field=None,
            details={"retry_after_seconds": window - int(time.time()) % window},
        )

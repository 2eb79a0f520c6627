"""The rate limit of the public verification service (진위확인), against enumeration of
document numbers: ``MINWON_RATE_VERIFY`` requests (``limit/seconds``, default 30/60) per
client address, counted in the database by ``kernel.throttle`` so the limit holds across
every worker and app server. A person checking documents never meets it; a script guessing
10^15 numbers is stopped at once.
"""

from __future__ import annotations

from django.http import HttpRequest

from minwon.kernel import throttle
from minwon.kernel.throttle import TooManyRequests

__all__ = ["VERIFY", "TooManyRequests", "check"]

VERIFY = throttle.Rule(
    "verify", (30, 60),
    "진위확인 요청이 너무 많습니다. 잠시 후 다시 시도하세요.",
    "Too many verification requests; try again shortly.",
)  # fmt: skip


def check(request: HttpRequest, scope: str = "verify") -> None:
    """Count one verification request from the client; 429 past the limit."""
    throttle.take((VERIFY, f"{scope}:{throttle.client_address(request)}"))

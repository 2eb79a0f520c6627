"""Who may read the shell's own endpoints: ``/metrics`` lists outcomes, latencies and
counts per jurisdiction, which is an operator's view, not the public's."""

from __future__ import annotations

import functools
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


@functools.cache
def _networks(allow: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(a, strict=False) for a in allow)


def can_scrape_metrics(request: HttpRequest) -> bool:
    """A scraper with ``MINWON_METRICS_TOKEN`` as its bearer token, or from an address in
    ``MINWON_METRICS_ALLOW``. The address is the connection's own (Prometheus scrapes each
    app server directly, not through the load balancer)."""
    token = settings.MINWON_METRICS_TOKEN.encode()
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if token and scheme == "Bearer" and hmac.compare_digest(presented.strip().encode(), token):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in net for net in _networks(tuple(settings.MINWON_METRICS_ALLOW)))

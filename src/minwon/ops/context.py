"""Template context for citizen pages: the public status (대체 창구 안내).

Two ways to show it, both owned here:

- htmx (preferred, no settings change): in ``citizen/base_citizen.html``
  ``{% block banner %}{% include "ops/public_status_slot.html" %}{% endblock %}`` — the
  slot loads ``/ops/public-status`` after the page, so pages stay cacheable.
- context processor: add ``minwon.ops.context.public_status`` to TEMPLATES and
  ``{% include "ops/public_status.html" with status=ops_public_status %}`` in the banner.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

NOT_CITIZEN = ("/staff/", "/ops/", "/api/", "/admin/", "/static/")


def public_status(request: HttpRequest) -> dict[str, Any]:
    if request.path.startswith(NOT_CITIZEN):
        return {}
    from minwon.ops.queries import public_status as current

    return {"ops_public_status": current()}

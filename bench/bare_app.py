"""The floor of the serving benchmarks: minwon's settings (apps, database, templates) with
no middleware and one URL, ``/healthz``, answering the same JSON as minwon's own. Served by
``minwon serve --app bare_app:application`` (``bench/httpbench.py``, ``bare=True``), so the
server, its workers and threads are those of the real run; what it does not do is
everything minwon's middleware stack and URL map add to a request.
"""

from __future__ import annotations

import os

from django.http import HttpRequest, JsonResponse
from django.urls import path


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "pid": os.getpid()})


urlpatterns = [path("healthz", healthz)]

os.environ["DJANGO_SETTINGS_MODULE"] = "minwon.config.settings"
from django.conf import settings  # noqa: E402

settings.MIDDLEWARE = []
settings.ROOT_URLCONF = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

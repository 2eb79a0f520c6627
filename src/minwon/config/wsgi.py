"""The WSGI application: Django's handler with the request signals' stock duties done
directly (``minwon.web.handler``). ``minwon serve`` sets ``MINWON_ACCESS_LOG=1`` to wrap it
in the access log (``minwon.web.accesslog``), the same for granian and gunicorn."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minwon.config.settings")

from minwon.web.handler import get_application

application = get_application()

from django.conf import settings  # noqa: E402

if settings.PRODUCTION:
    # A production server does not start while a system check fails (the demo identity
    # verifier, accounts.E001): gunicorn and granian do not run the checks themselves.
    from django.core.management import call_command

    call_command("check")

if os.environ.get("MINWON_ACCESS_LOG") == "1":
    from minwon.web.accesslog import AccessLog

    application = AccessLog(application)  # type: ignore[assignment]

"""Certificate pages: verification, citizen issuance, the counter, and the kiosk."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_noop

from minwon.documents import kiosk, views
from minwon.web import nav

nav.register("citizen", gettext_noop("증명서 발급"), "documents-citizen", order=30)
nav.register("citizen", gettext_noop("진위확인"), "documents-verify", order=31)
nav.register(
    "staff",
    gettext_noop("증명서 발급(창구)"),
    "documents-counter",
    order=30,
    permission="documents.issue",
)

urlpatterns = [
    path("verify/", views.verify, name="documents-verify"),
    path("certificates/", views.citizen_certificates, name="documents-citizen"),
    path("certificates/<str:number>.pdf", views.download, name="documents-download"),
    path("staff/certificates/", views.counter, name="documents-counter"),
    path("kiosk/", kiosk.home, name="kiosk-home"),
    path("kiosk/reset/", kiosk.reset, name="kiosk-reset"),
    path("kiosk/identity/", kiosk.identity_page, name="kiosk-identity"),
    path("kiosk/certificates/", kiosk.choose, name="kiosk-choose"),
    path("kiosk/certificates/<str:code>/", kiosk.options, name="kiosk-options"),
    path("kiosk/pay/", kiosk.pay, name="kiosk-pay"),
    path("kiosk/done/<str:number>/", kiosk.done, name="kiosk-done"),
    path("kiosk/print/<str:number>.pdf", kiosk.print_pdf, name="kiosk-print"),
]

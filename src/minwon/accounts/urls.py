from django.urls import path
from django.utils.translation import gettext_noop

from minwon.accounts import views
from minwon.web import nav

urlpatterns = [
    path("kiosk/enrol/", views.kiosk_enrol, name="kiosk-enrol"),
    path("kiosk/heartbeat/", views.kiosk_heartbeat, name="kiosk-heartbeat"),
    path("staff/kiosks/", views.staff_kiosks, name="accounts-kiosks"),
    path("staff/kiosks/<str:device_id>/", views.staff_kiosk, name="accounts-kiosk"),
]

nav.register(
    "staff", gettext_noop("무인민원발급기 관리"), "accounts-kiosks", order=950,
    permission="accounts.kiosks",
)  # fmt: skip

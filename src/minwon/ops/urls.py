from django.urls import path
from django.utils.translation import gettext_noop

from minwon.ops import views
from minwon.web import nav

urlpatterns = [
    path("ops/", views.room, name="ops-room"),
    path("ops/live/summary", views.live_summary, name="ops-live-summary"),
    path("ops/live/health", views.live_health, name="ops-live-health"),
    path("ops/live/alerts", views.live_alerts, name="ops-live-alerts"),
    path("ops/live/series.json", views.live_series, name="ops-live-series"),
    path("ops/alerts/<int:alert_id>/acknowledge", views.acknowledge, name="ops-alert-ack"),
    path("ops/incidents/", views.incident_list, name="ops-incidents"),
    path("ops/incidents/<int:incident_id>/", views.incident_detail, name="ops-incident"),
    path("ops/services/", views.services, name="ops-services"),
    path("ops/rules/", views.rules, name="ops-rules"),
    path("ops/public-status", views.public_status_fragment, name="ops-public-status"),
]

nav.register("staff", gettext_noop("상황실"), "ops-room", order=900, permission="ops.room")

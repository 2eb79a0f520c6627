from django.urls import path
from django.utils.translation import gettext_noop

from minwon.continuity import views
from minwon.web import nav

urlpatterns = [
    path("staff/continuity/queue/", views.queue, name="continuity-queue"),
    path("staff/continuity/edge/", views.edge, name="continuity-edge"),
    path("staff/continuity/petitions/", views.petition_status, name="continuity-petitions"),
]

nav.register(
    "staff",
    gettext_noop("소급 적용 대기열"),
    "continuity-queue",
    order=85,
    permission="continuity.reconcile",
)

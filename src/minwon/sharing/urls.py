"""Sharing pages: the citizen's 열람 이력 and consents, the counter consent, the message log."""

from django.urls import path
from django.utils.translation import gettext_noop

from minwon.sharing import views
from minwon.sharing.permissions import SharingPermission
from minwon.web import nav

urlpatterns = [
    path("me/access/", views.my_access, name="sharing-my-access"),
    path("me/access/objections/", views.object_to_read, name="sharing-object"),
    path("me/consents/", views.my_consents, name="sharing-my-consents"),
    path("me/consents/<uuid:reference>/revoke/", views.revoke, name="sharing-revoke"),
    path("staff/sharing/consents/", views.counter_consent, name="sharing-counter-consent"),
    path("staff/sharing/messages/", views.message_log, name="sharing-message-log"),
    path(
        "staff/sharing/petition-lookups/<str:receipt_number>/<int:seq>/",
        views.petition_lookup,
        name="sharing-petition-lookup",
    ),
    path("staff/sharing/objections/", views.objections, name="sharing-objections"),
]

nav.register("citizen", gettext_noop("열람 이력"), "sharing-my-access", order=85)
nav.register("citizen", gettext_noop("정보 제공 동의"), "sharing-my-consents", order=86)
nav.register(
    "staff", gettext_noop("정보 제공 동의 접수"), "sharing-counter-consent", order=40,
    permission=SharingPermission.CONSENT_COUNTER,
)  # fmt: skip
nav.register(
    "staff", gettext_noop("공동이용 기록"), "sharing-message-log", order=910,
    permission=SharingPermission.READ_LOG,
)  # fmt: skip
nav.register(
    "staff",
    gettext_noop("열람 이의 제기"),
    "sharing-objections",
    order=911,
    permission=SharingPermission.READ_LOG,
)

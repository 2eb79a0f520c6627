from django.urls import path
from django.utils.translation import gettext_noop

from minwon.notices import views
from minwon.web import nav

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:message_id>/", views.message, name="inbox-message"),
]

nav.register("citizen", gettext_noop("전자고지함"), "inbox", order=80)

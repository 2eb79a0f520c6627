"""Portal pages: the staff landing page, integrated search and opening a hit."""

from django.urls import path
from django.utils.translation import gettext_noop

from minwon.portal import views
from minwon.portal.permissions import PortalPermission
from minwon.web import nav

urlpatterns = [
    path("staff/search/", views.search, name="portal-search"),
    path("staff/search/open/<str:kind>/<str:entity_id>/", views.open_hit, name="portal-open"),
]

nav.register(
    "staff", gettext_noop("통합검색"), "portal-search", order=1, permission=PortalPermission.USE
)

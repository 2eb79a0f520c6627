"""Portal pages: the staff landing page, integrated search and opening a hit, and the
자동취합 campaigns."""

from django.urls import path
from django.utils.translation import gettext_noop

from minwon.portal import campaign_views, views
from minwon.portal.permissions import PortalPermission
from minwon.web import nav

urlpatterns = [
    path("staff/search/", views.search, name="portal-search"),
    path("staff/search/open/<str:kind>/<str:entity_id>/", views.open_hit, name="portal-open"),
    path("staff/campaigns/", campaign_views.campaigns, name="portal-campaigns"),
    path("staff/campaigns/<int:campaign_id>/", campaign_views.campaign, name="portal-campaign"),
    path(
        "staff/campaigns/<int:campaign_id>/versions/",
        campaign_views.publish_version,
        name="portal-campaign-publish",
    ),
    path(
        "staff/campaigns/<int:campaign_id>/export.xlsx",
        campaign_views.download_xlsx,
        name="portal-campaign-xlsx",
    ),
    path(
        "staff/campaigns/<int:campaign_id>/export.csv",
        campaign_views.download_csv,
        name="portal-campaign-csv",
    ),
    path(
        "staff/campaigns/<int:campaign_id>/answers/<int:recipient_id>/",
        campaign_views.answer,
        name="portal-campaign-answer",
    ),
]

nav.register(
    "staff", gettext_noop("통합검색"), "portal-search", order=1, permission=PortalPermission.USE
)
nav.register(
    "staff",
    gettext_noop("자동취합"),
    "portal-campaigns",
    order=2,
    permission=PortalPermission.CAMPAIGN_ANSWER,
)

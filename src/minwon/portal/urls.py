"""Portal pages: the staff landing page, integrated search and opening a hit, and the
자동취합 campaigns."""

from django.urls import path
from django.utils.translation import gettext_noop

from minwon.portal import campaign_views, inbox_views, views
from minwon.portal.permissions import PortalPermission
from minwon.web import nav

urlpatterns = [
    path("staff/inbox/", inbox_views.inbox, name="portal-inbox"),
    path("staff/inbox/<int:message_id>/", inbox_views.message, name="portal-inbox-message"),
    path("staff/inbox/<int:message_id>/read/", inbox_views.mark_read, name="portal-inbox-read"),
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


def _unread(actor: object) -> int:
    from minwon.notices.policies import staff_unread

    return staff_unread(actor)  # type: ignore[arg-type]


nav.register("staff", gettext_noop("알림함"), "portal-inbox", order=3, badge=_unread)

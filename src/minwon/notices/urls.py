from django.urls import path
from django.utils.translation import gettext_noop

from minwon.notices import views
from minwon.notices.permissions import NoticesPermission
from minwon.web import nav

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:message_id>/", views.message, name="inbox-message"),
    path("inbox/<int:message_id>/acknowledge", views.acknowledge, name="inbox-acknowledge"),
    path("inbox/<int:message_id>/receipt", views.receipt, name="inbox-receipt"),
    path("verify/notice-receipt/", views.verify_receipt, name="notices-verify-receipt"),
    path("staff/notices/", views.campaigns, name="notices-campaigns"),
    path("staff/notices/campaigns/<int:campaign_id>/", views.campaign, name="notices-campaign"),
    path(
        "staff/notices/campaigns/<int:campaign_id>/print/<int:batch_id>.pdf",
        views.print_batch,
        name="notices-print-batch",
    ),
    path("staff/notices/<int:notice_id>/", views.notice, name="notices-notice"),
    path("staff/notices/dead/", views.dead_letters, name="notices-dead"),
]

nav.register("citizen", gettext_noop("전자고지함"), "inbox", order=80)
nav.register("staff", gettext_noop("전자고지"), "notices-campaigns", order=70,
             permission=NoticesPermission.READ)  # fmt: skip

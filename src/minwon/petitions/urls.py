from django.urls import path
from django.utils.translation import gettext_noop

from minwon.petitions import approvals, attachments, kiosk, views
from minwon.petitions.permissions import PetitionsPermission
from minwon.web import nav

urlpatterns = [
    path("petitions/apply/", views.apply, name="petitions-apply"),
    path("petitions/mine/", views.mine, name="petitions-mine"),
    path("petitions/mine/<str:receipt_number>/", views.mine_detail, name="petitions-mine-detail"),
    path(
        "petitions/mine/<str:receipt_number>/<int:item>/supplement/",
        views.supplement,
        name="petitions-supplement",
    ),
    path(
        "petitions/attachments/<int:attachment_id>/",
        attachments.download,
        name="petitions-attachment",
    ),
    path("track/", views.track, name="petitions-track"),
    path("kiosk/petitions/", kiosk.identity, name="petitions-kiosk-identity"),
    path("kiosk/petitions/reset/", kiosk.reset, name="petitions-kiosk-reset"),
    path("kiosk/petitions/types/", kiosk.choose, name="petitions-kiosk-choose"),
    path("kiosk/petitions/types/<str:code>/", kiosk.fill, name="petitions-kiosk-fill"),
    path("kiosk/petitions/confirm/", kiosk.confirm, name="petitions-kiosk-confirm"),
    path("kiosk/petitions/pay/", kiosk.pay, name="petitions-kiosk-pay"),
    path("kiosk/petitions/done/<str:receipt_number>/", kiosk.done, name="petitions-kiosk-done"),
    path("staff/petitions/", views.queue, name="petitions-queue"),
    path("staff/petitions/load/", views.load, name="petitions-load"),
    path("staff/petitions/approvals/", approvals.approvals, name="petitions-approvals"),
    path("staff/petitions/intake/", views.intake, name="petitions-intake"),
    path("staff/petitions/receipt/<str:receipt_number>/", views.receipt, name="petitions-receipt"),
    path(
        "staff/petitions/<str:receipt_number>/<int:item>/",
        views.detail,
        name="petitions-staff-detail",
    ),
    path(
        "staff/petitions/<str:receipt_number>/<int:item>/<str:name>/",
        views.action,
        name="petitions-staff-action",
    ),
]

nav.register("citizen", gettext_noop("민원 신청"), "petitions-apply", order=20)
nav.register("citizen", gettext_noop("나의 민원"), "petitions-mine", order=30)
nav.register("citizen", gettext_noop("처리 과정 조회"), "petitions-track", order=40)
nav.register(
    "staff",
    gettext_noop("민원 처리함"),
    "petitions-queue",
    order=20,
    permission="petitions.process",
)
nav.register(
    "staff", gettext_noop("민원 접수"), "petitions-intake", order=21, permission="petitions.intake"
)
nav.register(
    "staff",
    gettext_noop("부서 민원 현황"),
    "petitions-load",
    order=22,
    permission=PetitionsPermission.OVERSEE,
)
nav.register(
    "staff",
    gettext_noop("결재함"),
    "petitions-approvals",
    order=23,
    permission=PetitionsPermission.APPROVE,
)

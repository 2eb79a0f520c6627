"""수수료 환불: the refund clerk's screens."""

from django.urls import path
from django.utils.translation import gettext_noop

from minwon.payments import views
from minwon.payments.permissions import PaymentsPermission
from minwon.web import nav

urlpatterns = [
    path("staff/payments/", views.payments, name="payments-list"),
    path("staff/payments/<int:payment_id>/", views.payment, name="payments-detail"),
    path("staff/payments/<int:payment_id>/refund/", views.refund, name="payments-refund"),
]

nav.register(
    "staff", gettext_noop("수수료 환불"), "payments-list", order=60,
    permission=PaymentsPermission.REFUND,
)  # fmt: skip

"""Administration pages under ``/staff/admin/``, in the administrator's menu."""

from django.urls import path
from django.utils.translation import gettext_noop

from minwon.kernel.permissions import KernelPermission
from minwon.web import nav

from . import views

urlpatterns = [
    path("staff/admin/holidays/", views.holidays, name="administration-holidays"),
    path(
        "staff/admin/holidays/withdraw/",
        views.withdraw_holiday,
        name="administration-holiday-withdraw",
    ),
]

nav.register(
    "staff", gettext_noop("공휴일 관리"), "administration-holidays", order=950,
    permission=KernelPermission.MANAGE_CALENDAR,
)  # fmt: skip

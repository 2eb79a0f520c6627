"""Administration pages under ``/staff/admin/``, in the administrator's menu."""

from django.urls import path
from django.utils.translation import gettext_noop

from minwon.accounts.roles import AccountsPermission
from minwon.kernel.permissions import KernelPermission
from minwon.petitions.permissions import PetitionsPermission
from minwon.web import nav

from . import catalog, keys, staff, views

urlpatterns = [
    path("staff/admin/holidays/", views.holidays, name="administration-holidays"),
    path(
        "staff/admin/holidays/withdraw/",
        views.withdraw_holiday,
        name="administration-holiday-withdraw",
    ),
    path("staff/admin/accounts/", staff.accounts, name="administration-accounts"),
    path("staff/admin/accounts/<int:user_id>/", staff.account, name="administration-account"),
    path(
        "staff/admin/accounts/<int:user_id>/<str:name>/",
        staff.account_action,
        name="administration-account-action",
    ),
    path("staff/admin/agency-keys/", keys.agency_keys, name="administration-agency-keys"),
    path(
        "staff/admin/agency-keys/<int:client_id>/<str:name>/",
        keys.agency_key_action,
        name="administration-agency-key-action",
    ),
    path("staff/admin/catalog/", catalog.catalog, name="administration-catalog"),
]

nav.register(
    "staff", gettext_noop("공휴일 관리"), "administration-holidays", order=950,
    permission=KernelPermission.MANAGE_CALENDAR,
)  # fmt: skip
nav.register(
    "staff", gettext_noop("직원 계정 관리"), "administration-accounts", order=951,
    permission=AccountsPermission.MANAGE,
)  # fmt: skip
nav.register(
    "staff", gettext_noop("기관 API 키"), "administration-agency-keys", order=952,
    permission=AccountsPermission.MANAGE,
)  # fmt: skip
nav.register(
    "staff", gettext_noop("민원 사무 관리"), "administration-catalog", order=953,
    permission=PetitionsPermission.CATALOG,
)  # fmt: skip

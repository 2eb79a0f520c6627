"""Roles as data: which declared permissions each staff role holds (DESIGN §3.6).

A staff member holds roles over jurisdiction subtrees (``RoleGrant``); a role is a set of
declared permissions (``minwon.kernel.permissions``), never free strings, so a role cannot
grant what no app declared and ``tests/accounts/test_declared.py`` sees every grant.
The system administrator holds every permission, including those declared later.
"""

from __future__ import annotations

from minwon.continuity.permissions import ContinuityPermission as Continuity
from minwon.documents.permissions import DocumentsPermission as Documents
from minwon.ha.permissions import HaPermission as Ha
from minwon.kernel.permissions import KernelPermission as Kernel
from minwon.kernel.permissions import Permissions, declare
from minwon.land.permissions import LandPermission as Land
from minwon.licensing.permissions import LicensingPermission as Licensing
from minwon.notices.permissions import NoticesPermission as Notices
from minwon.ops.permissions import OpsPermission as Ops
from minwon.payments.permissions import PaymentsPermission as Payments
from minwon.petitions.permissions import PetitionsPermission as Petitions
from minwon.portal.permissions import PortalPermission as Portal
from minwon.registry.permissions import RegistryPermission as Registry
from minwon.sharing.permissions import SharingPermission as Sharing
from minwon.tax.permissions import TaxPermission as Tax
from minwon.vehicles.permissions import VehiclesPermission as Vehicles


@declare
class AccountsPermission(Permissions):
    """계정: staff accounts, roles and agency keys."""

    MANAGE = "accounts.manage", "계정·권한 관리"
    KIOSKS = "accounts.kiosks", "무인민원발급기 등록·해지"


#: Every permission, present and future: the system administrator's.
ALL = "*"

# The operator's set excludes the alert rules (ALERT_RULES) on purpose.
_OPS_ON_DUTY = {p for p in Ops if p is not Ops.ALERT_RULES}

ROLES: dict[str, frozenset[str]] = {
    "counter_clerk": frozenset({
        Registry.READ, Registry.REGISTER, Registry.MOVE_IN, Registry.HOUSEHOLD,
        Registry.STATUS, Registry.REVEAL_RRN,
        Petitions.READ, Petitions.INTAKE, Petitions.DELIVER,
        Documents.ISSUE, Documents.READ,
        Vehicles.READ, Land.READ, Licensing.READ, Tax.READ,
        Portal.USE, Portal.CAMPAIGN_ANSWER, Continuity.COUNTER, Continuity.SWITCH,
        Notices.SEND, Notices.READ, Sharing.CONSENT_COUNTER, Payments.REFUND,
    }),
    "officer": frozenset({
        Registry.READ, Registry.STATUS,
        Petitions.READ, Petitions.INTAKE, Petitions.PROCESS, Petitions.DELIVER,
        Petitions.ASSIGN,
        Documents.READ, Documents.ISSUE,
        *Vehicles, *Land, *Licensing, *Tax,
        Sharing.REQUEST, *Portal, Continuity.RECONCILE, *Notices,
    }),
    "department_head": frozenset({
        Registry.READ, *Petitions, Payments.REFUND, Documents.READ, Vehicles.READ, Land.READ, *Licensing,
        Tax.READ, Sharing.REQUEST, *Portal, Continuity.RECONCILE, Notices.READ, Notices.CAMPAIGN,
    }),
    "operator": frozenset({
        *_OPS_ON_DUTY, *Continuity, *Ha, Portal.USE, Notices.READ, Sharing.READ_LOG,
        Sharing.MANAGE_PROVIDERS,
    }),
    "sysadmin": frozenset({ALL}),
    "auditor": frozenset({
        Registry.READ, Registry.REVEAL_RRN, Petitions.READ, Documents.READ, Portal.USE,
        Sharing.READ_LOG,
    }),
}  # fmt: skip

#: Declared permissions no staff role holds but the administrator's: who may do what, the
#: divisions, the calendar, the alert rules, bulk loads of the resident registry and the
#: register of kiosk devices.
ADMINISTRATOR_ONLY = frozenset({
    AccountsPermission.MANAGE, AccountsPermission.KIOSKS, Kernel.MANAGE_CALENDAR,
    Kernel.MANAGE_JURISDICTIONS,
    Registry.IMPORT, Ops.ALERT_RULES, Sharing.DISCLOSE,
})  # fmt: skip
#: Declared permissions held only by agency keys (stored on the key), never by a role.
KEYS_ONLY = frozenset({Documents.AGENCY_ISSUE})

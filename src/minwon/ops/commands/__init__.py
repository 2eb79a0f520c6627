"""The situation room's commands — the only code that changes ops domain state.

Split by subject: ``alerts`` (rules, firing, clearing, acknowledgement), ``incidents``
(incident lifecycle and public status) and ``infra`` (edge status reports, backup records,
service grades and continuity plans, drills). Importing this package registers them all.
"""

from minwon.ops.commands.alerts import (
    AcknowledgeAlert,
    ClearAlert,
    FireAlert,
    InstallDefaultAlertRules,
    SetAlertRule,
)
from minwon.ops.commands.incidents import (
    AddIncidentNote,
    OpenIncident,
    ResolveIncident,
    UpdateIncident,
)
from minwon.ops.commands.infra import RecordBackup, RecordDrill, ReportEdgeStatus, SetServicePlan

__all__ = [
    "AcknowledgeAlert",
    "AddIncidentNote",
    "ClearAlert",
    "FireAlert",
    "InstallDefaultAlertRules",
    "OpenIncident",
    "RecordBackup",
    "RecordDrill",
    "ReportEdgeStatus",
    "ResolveIncident",
    "SetAlertRule",
    "SetServicePlan",
    "UpdateIncident",
]

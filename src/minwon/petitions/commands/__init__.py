"""Petition commands: the only code that changes this app's state.

- ``catalog``: load the petition-type catalog from its data file (or an edited copy);
- ``intake``: one application (one receipt) with one or more petitions, on every channel;
- ``workflow``: every transition of a petition, each a command with who, when and why;
- ``approval``: 결재 of a draft decision along its type's approval line (대결, 반려);
- ``sweep``: the 30-day progress notice, deadline reminders and the escalation of overdue
  petitions, one command per petition so each is idempotent on its own.
"""

from __future__ import annotations

from minwon.petitions.commands.approval import ApproveDecision, ReturnDraft
from minwon.petitions.commands.catalog import LoadPetitionCatalog, PublishPetitionTypeVersion
from minwon.petitions.commands.intake import ApplicationItem, SubmitApplication
from minwon.petitions.commands.sweep import (
    EscalateOverdue,
    RemindDeadline,
    SendProgressNotice,
)
from minwon.petitions.commands.workflow import (
    AssignPetition,
    ClosePetition,
    DecidePetition,
    DeliverDecision,
    ExtendDeadline,
    RequestSupplement,
    ReturnPetition,
    StartReview,
    SubmitSupplement,
    TransferPetition,
    WithdrawPetition,
)

# Counter clerks receive and hand over; officers process; heads hold petitions.* already.

__all__ = [
    "ApplicationItem",
    "ApproveDecision",
    "AssignPetition",
    "ClosePetition",
    "DecidePetition",
    "DeliverDecision",
    "EscalateOverdue",
    "ExtendDeadline",
    "LoadPetitionCatalog",
    "PublishPetitionTypeVersion",
    "RemindDeadline",
    "RequestSupplement",
    "ReturnDraft",
    "ReturnPetition",
    "SendProgressNotice",
    "StartReview",
    "SubmitApplication",
    "SubmitSupplement",
    "TransferPetition",
    "WithdrawPetition",
]

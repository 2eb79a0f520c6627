"""Sharing commands: the only code that changes this app's state.

- ``consent``: 정보주체 동의, given and revoked, online and at the counter;
- ``requests``: an agency's signed request answered (minimised, signed), or its denial;
- ``sanctions``: the national sanction check and declared provider outages;
- ``keys``: agencies' signing keys, and disclosing deferred reads;
- ``petitions``: a petition's look-up documents read by the officer through sharing;
- ``objections``: 이의 제기 on a read, a case for the auditors;
- ``archive``: entries past their retention moved into signed archive files.
"""

from __future__ import annotations

from minwon.sharing.commands.archive import ArchiveSharingMessages
from minwon.sharing.commands.consent import GiveConsent, RevokeConsent, find_consent
from minwon.sharing.commands.keys import (
    DiscloseDeferredReads,
    ForgetOldNonces,
    NotifyStaffReads,
    RegisterAgencySigningKey,
)
from minwon.sharing.commands.objections import RaiseObjection
from minwon.sharing.commands.petitions import LookUpPetitionDocument
from minwon.sharing.commands.requests import AnswerSharingRequest, RecordSharingDenial
from minwon.sharing.commands.sanctions import (
    CheckSanctions,
    DeclareProviderOutage,
    EndProviderOutage,
)

__all__ = [
    "AnswerSharingRequest",
    "ArchiveSharingMessages",
    "CheckSanctions",
    "DeclareProviderOutage",
    "DiscloseDeferredReads",
    "EndProviderOutage",
    "ForgetOldNonces",
    "GiveConsent",
    "LookUpPetitionDocument",
    "NotifyStaffReads",
    "RaiseObjection",
    "RecordSharingDenial",
    "RegisterAgencySigningKey",
    "RevokeConsent",
    "find_consent",
]

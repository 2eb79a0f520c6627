"""Which commands the room counts as what (명령 → 상황실 분류).

The room does not import the petitions or documents apps: it reads the kernel's command
stream (``kernel.metrics.on_command``) and the command table, and maps command *names* to
the room's categories with the table below. A new app gets counted by naming its commands
the way the conventions say (``IssueCertificate``, ``SubmitPetition`` …); nothing here has
to change. The first matching row wins; only successful commands (outcome ``ok``) count.

| category | matches (regular expression on the command name) | example |
|---|---|---|
| issuances | ``Issue`` with ``Certificate``/``Document``/``Copy``/``Extract`` | ``IssueCertificate`` |
| petitions_received | ``Submit``/``Receive``/``File``/``Intake`` … ``Petition`` | ``SubmitPetition`` |
| petitions_decided | ``Decide``/``Approve``/``Reject``/``Complete`` … ``Petition`` | ``DecidePetition`` |
| logins | ``RecordSignIn`` (staff and citizens) | ``RecordSignIn`` |
| moves_in | ``MoveIn`` | ``ReportMoveIn`` |
| sharing | ``Shar`` (행정정보 공동이용) | ``RequestSharing`` |
| edge_applied | ``Edge`` with ``Apply``/``Sync`` | ``ApplyEdgeJournal`` |
"""

from __future__ import annotations

import functools
import re

CATEGORY_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "issuances",
        re.compile(r"[Ii]ssue\w*(Certificate|Document|Copy|Extract)|(Certificate|Document)\w*Issu"),
    ),
    (
        "petitions_received",
        re.compile(r"^(Submit|Receive|File|Intake|Accept)\w*Petition|^Petition\w*(Submit|Intake)"),
    ),
    (
        "petitions_decided",
        re.compile(r"^(Decide|Approve|Reject|Complete|Close)\w*Petition|^Petition\w*Decision"),
    ),
    ("logins", re.compile(r"^RecordSignIn$|SignIn$|LogIn$")),
    ("moves_in", re.compile(r"MoveIn")),
    ("sharing", re.compile(r"Shar(e|ing)")),
    ("edge_applied", re.compile(r"Edge\w*(Apply|Sync)|(Apply|Sync)\w*Edge")),
]

#: Korean labels of the categories, in the order the room shows them.
CATEGORY_LABELS: dict[str, str] = {
    "issuances": "증명서 발급",
    "petitions_received": "민원 접수",
    "petitions_decided": "민원 처리(결정)",
    "logins": "로그인",
    "moves_in": "전입신고",
    "sharing": "행정정보 공동이용",
    "edge_applied": "거점 소급 반영",
}


@functools.lru_cache(maxsize=1024)
def category_of(command_name: str) -> str | None:
    """The room's category for a command name, or None when the room does not count it."""
    for category, pattern in CATEGORY_RULES:
        if pattern.search(command_name):
            return category
    return None

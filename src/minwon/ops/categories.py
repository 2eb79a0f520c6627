"""Which commands the room counts as what (명령 → 상황실 분류).

Each command type declares its category (``Command.room_category``, a
``kernel.types.RoomCategory``); the room reads the kernel's command stream
(``kernel.metrics.on_command``) and the command table by name and looks the type up, so it
never guesses from names. Only successful commands (outcome ``ok``) count.
``tests/ops/test_categories.py`` checks that every command the room must count says so.
"""

from __future__ import annotations

from minwon.kernel import registry
from minwon.kernel.types import RoomCategory

#: Korean labels of the categories, in the order the room shows them.
CATEGORY_LABELS: dict[str, str] = {
    RoomCategory.ISSUANCES: "증명서 발급",
    RoomCategory.PETITIONS_RECEIVED: "민원 접수",
    RoomCategory.PETITIONS_DECIDED: "민원 처리(결정)",
    RoomCategory.LOGINS: "로그인",
    RoomCategory.MOVES_IN: "전입신고",
    RoomCategory.SHARING: "행정정보 공동이용",
    RoomCategory.EDGE_APPLIED: "거점 소급 반영",
    RoomCategory.CAMPAIGNS: "자동취합 (발송·응답)",
}


def category_of(command_name: str) -> str | None:
    """The room's category for a command name, or None when the room does not count it
    (or the name is no command type of this node)."""
    cls = registry.commands_by_name.get(command_name)
    return None if cls is None or cls.room_category is None else str(cls.room_category)

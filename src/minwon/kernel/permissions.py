"""Permissions as declared values (DESIGN §3.6).

Each app declares what may be done in it as one ``Permissions`` enum in its
``permissions.py``; members are strings (``"petitions.intake"``), so they travel in JSON and
compare with stored grants, but a name that nobody declared cannot be used: a command type
whose ``permission`` is not a declared member fails at start-up (``check_commands``), and
``accounts.roles`` grants members, not strings. ``tests/accounts/test_declared.py`` fails
when a declared permission is granted by no role or used by nothing.
"""

from __future__ import annotations

import enum

#: Every declared permission by its dotted name, filled as the apps' enums are defined.
declared: dict[str, Permissions] = {}


class Permissions(enum.StrEnum):
    """Base of an app's permission enum: ``READ = "petitions.read", "민원 열람"``.

    The value is the dotted name; the second item is the Korean label shown on the staff
    administration screens."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Permissions:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def _register(cls) -> None:
        for member in cls:
            existing = declared.get(member.value)
            if existing is not None and existing is not member:
                raise RuntimeError(f"permission {member.value} declared twice")
            declared[member.value] = member


def declare(cls: type[Permissions]) -> type[Permissions]:
    """Class decorator of an app's permission enum: make its members known."""
    cls._register()
    return cls


def matches(pattern: str, permission: str) -> bool:
    """A role's ``pattern`` (a permission, ``app.*`` or ``*``) covers ``permission``."""
    if pattern in ("*", permission):
        return True
    return pattern.endswith(".*") and permission.startswith(pattern[:-1])


def expand(pattern: str) -> set[Permissions]:
    """The declared permissions ``pattern`` covers; an unknown pattern is an error."""
    found = {p for name, p in declared.items() if matches(pattern, name)}
    if not found:
        raise LookupError(f"no declared permission matches {pattern!r}")
    return found


def check_commands() -> None:
    """Every registered command type declares a declared permission or ``None``."""
    from minwon.kernel import registry

    wrong = [
        f"{name}: {cls.permission!r}"
        for name, cls in registry.commands_by_name.items()
        if cls.permission is not None and str(cls.permission) not in declared
    ]
    if wrong:
        raise RuntimeError("commands with undeclared permissions: " + ", ".join(sorted(wrong)))


@declare
class KernelPermission(Permissions):
    """The kernel's own: the administrative divisions and the business calendar."""

    MANAGE_JURISDICTIONS = "kernel.manage_jurisdictions", "행정구역 관리"
    MANAGE_CALENDAR = "kernel.manage_calendar", "공휴일 지정"

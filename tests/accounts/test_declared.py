"""Permissions are declared values: every one is held by a role (or, on purpose, only by
the administrator or by agency keys) and used by something; nothing uses a name that is
not declared; every command type declares its permission and its continuity behaviour."""

from __future__ import annotations

import re
from pathlib import Path

from minwon.accounts.roles import ADMINISTRATOR_ONLY, ALL, KEYS_ONLY, ROLES
from minwon.kernel import registry
from minwon.kernel.permissions import declared
from minwon.kernel.types import Continuity

SRC = Path(__file__).resolve().parents[2] / "src" / "minwon"
# A permission-taking call or declaration with a string literal: it must be declared.
LITERAL = re.compile(
    r"""(?:require|allowed|is_allowed|authorize|in_scope|scopes_for|scope_paths|_staff)"""
    r"""\([^()]*?["']([a-z_]+\.[a-z_.]+)["']|permission\s*=\s*["']([a-z_]+\.[a-z_.*]+)["']"""
)


def _sources() -> dict[Path, str]:
    return {path: path.read_text() for path in SRC.rglob("*.py") if "migrations" not in path.parts}


def test_every_declared_permission_is_held_by_a_role() -> None:
    held = set().union(*(perms for role, perms in ROLES.items() if ALL not in perms))
    unheld = set(declared) - held - ADMINISTRATOR_ONLY - KEYS_ONLY
    assert unheld == set()
    assert ROLES["sysadmin"] == {ALL}
    for role, perms in ROLES.items():
        assert perms <= {*declared, ALL}, role
    assert not (ADMINISTRATOR_ONLY | KEYS_ONLY) & held


def test_every_declared_permission_is_used() -> None:
    text = "\n".join(
        body
        for path, body in _sources().items()
        if "(Permissions):" not in body and path.name != "roles.py"
    )
    unused = [
        value
        for value, member in declared.items()
        if f"{type(member).__name__}.{member.name}" not in text and f'"{value}"' not in text
    ]
    assert unused == []


def test_no_undeclared_permission_is_named_in_the_code() -> None:
    named = {
        (str(path.relative_to(SRC)), a or b)
        for path, body in _sources().items()
        for a, b in LITERAL.findall(body)
    }
    assert named, "the scan found nothing: the pattern is broken"
    assert sorted(item for item in named if item[1] not in declared) == []


def test_every_command_declares_a_declared_permission_and_its_continuity() -> None:
    assert len(registry.commands_by_name) > 50
    for name, cls in registry.commands_by_name.items():
        assert cls.permission is None or cls.permission in declared, name
        assert isinstance(cls.continuity, Continuity), name
    at_edge = {
        name
        for name, cls in registry.commands_by_name.items()
        if cls.continuity in (Continuity.LOCAL, Continuity.FORWARD)
    }
    # Administration is never carried by an edge.
    for name in ("GrantRole", "RevokeRole", "CreateStaffAccount", "RegisterAgencyClient",
                 "DeclareHoliday", "LoadPetitionCatalog", "ImportJurisdictions"):  # fmt: skip
        assert name not in at_edge
    assert {"SubmitApplication", "ReportMoveIn", "IssueCertificate"} <= at_edge

"""Database triggers that make a table append-only, whatever code (or SQL console) tries to
change its rows: for the records that must never be silently rewritten (the issuance
ledger and its files, the attachments a petition was filed with).

PostgreSQL (production): any UPDATE or DELETE aborts. TRUNCATE (what a test database flush
uses) is a table-level statement these row triggers do not see.
SQLite (embedded/demo): any UPDATE aborts. DELETE is refused by the application but not by
a trigger, because Django flushes SQLite test databases with DELETE and a trigger there
would break every browser test; rewriting a row — the real threat to a record — is blocked
on both.

A migration uses it as ``migrations.RunPython(*append_only.operations(TABLES))``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Step = Callable[[Any, Any], None]


def operations(tables: Sequence[str]) -> tuple[Step, Step]:
    """The (install, remove) pair of a ``RunPython`` for ``tables``."""

    def install(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "sqlite":
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
            elif vendor == "postgresql":
                schema_editor.execute(
                    "CREATE OR REPLACE FUNCTION minwon_append_only() RETURNS trigger AS $$ "
                    "BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$ "
                    "LANGUAGE plpgsql"
                )
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION minwon_append_only()"
                )

    def remove(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            elif vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")

    return install, remove

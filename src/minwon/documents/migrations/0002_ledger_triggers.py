"""Database triggers that make the issuance ledger and its files append-only, whatever code
(or SQL console) tries to change them.

PostgreSQL (production): any UPDATE or DELETE aborts. TRUNCATE (what a test database flush
uses) is a table-level statement these row triggers do not see.
SQLite (embedded/demo): any UPDATE aborts. DELETE is refused by the application (model and
queryset) but not by a trigger, because Django flushes SQLite test databases with DELETE
and a trigger there would break every browser test; rewriting a row — the real threat to a
ledger — is blocked on both.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLES = ["documents_issuance", "documents_issuedfile"]


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for op in ("UPDATE",):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
        elif vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION minwon_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION minwon_append_only()"
            )


def remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for op in ("update",):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]

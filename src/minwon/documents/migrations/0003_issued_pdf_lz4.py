"""Issued PDFs are stored with lz4 instead of PostgreSQL's default pglz compression.

Every issuance stores a ~44 kB PDF, and PostgreSQL compresses it before writing (the
reserved signature space and the page structure compress by about a third). pglz spent
as much server CPU on that as the rest of the insert; lz4 halves the insert's time
(0.77 against 1.5 ms measured on the benchmark's PostgreSQL) and stores the file a little
smaller. Only rows written from now on are affected; a server built without lz4 keeps
pglz (the statement is skipped, nothing else changes). SQLite has no such setting.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

STATEMENT = """
DO $$
BEGIN
    ALTER TABLE documents_issuedfile ALTER COLUMN pdf SET COMPRESSION {method};
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not available: issued PDFs keep the default compression';
END $$
"""


def _set(method: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(STATEMENT.format(method=method))

    return run


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_ledger_triggers")]

    operations = [migrations.RunPython(_set("lz4"), _set("pglz"))]

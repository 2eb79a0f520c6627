"""Database triggers that make the issuance ledger and its files append-only
(``kernel.append_only``: UPDATE and DELETE abort on PostgreSQL, UPDATE on SQLite)."""

from __future__ import annotations

from django.db import migrations

from minwon.kernel import append_only

TABLES = ["documents_issuance", "documents_issuedfile"]
#: module-level, for migration 0004 that lifts them for one rewrite
install, remove = append_only.operations(TABLES)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]

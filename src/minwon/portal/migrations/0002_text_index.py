"""The text index over ``SearchDocument.tokens``, per database.

PostgreSQL: a stored generated ``tsvector`` (configuration 'simple': the tokens are already
made, it only splits them on spaces) with a GIN index. SQLite: an FTS5 table with the
``unicode61`` tokenizer (not ``trigram``, which misses two-syllable Korean on SQLite 3.40)
whose rowid is the document's id, kept by triggers so every write path — single upserts,
bulk inserts, deletes — keeps it in step.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "portal_searchdocument"

POSTGRES = [
    f"ALTER TABLE {TABLE} ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, tokens)) STORED",
    f"CREATE INDEX search_tsv ON {TABLE} USING gin (tsv)",
    f"CREATE INDEX search_policy ON {TABLE} (permission, jurisdiction_path text_pattern_ops)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_policy",
    "DROP INDEX IF EXISTS search_tsv",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS tsv",
]

SQLITE = [
    "CREATE VIRTUAL TABLE portal_search_fts USING fts5("
    f"tokens, content='{TABLE}', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER portal_search_ai AFTER INSERT ON {TABLE} BEGIN "
    "INSERT INTO portal_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    f"CREATE TRIGGER portal_search_ad AFTER DELETE ON {TABLE} BEGIN "
    "INSERT INTO portal_search_fts(portal_search_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); END",
    f"CREATE TRIGGER portal_search_au AFTER UPDATE ON {TABLE} BEGIN "
    "INSERT INTO portal_search_fts(portal_search_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO portal_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    f"CREATE INDEX search_policy ON {TABLE} (permission, jurisdiction_path)",
]
SQLITE_REVERSE = [
    "DROP INDEX IF EXISTS search_policy",
    "DROP TRIGGER IF EXISTS portal_search_au",
    "DROP TRIGGER IF EXISTS portal_search_ad",
    "DROP TRIGGER IF EXISTS portal_search_ai",
    "DROP TABLE IF EXISTS portal_search_fts",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]

"""PostgreSQL: index each token qualified by its document's kind ("person" + "민서" →
``person민서``), so a search's candidate scan for one kind reads only that kind's postings
from the GIN index and the planner's statistics are per kind. Before, "민원" had to be read
for every kind, and ranked and counted over all its 600,000 petitions (3 s at 1 M + 1 M).

The tokens column is unchanged (the application still writes plain tokens; ``search
rebuild`` and the subscribers write the same); only the generated ``tsvector`` and its GIN
index are rebuilt. SQLite's FTS5 table stays as it is: its candidate scan filters the kind
on the row.

The policy's btree index goes on PostgreSQL: nothing reads search documents by policy alone,
and the planner ANDed its bitmaps (878,000 rows for an officer of 원주시) with a common
token's, 160 ms of a search that needs a thousand rows. The policy is a filter on the rows
the text finds.

A btree on the entity id alone gives each kind's candidate scan an order that no kind's rows
cluster in (``portal.queries._candidates``).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "portal_searchdocument"

# Tokens are separated by single spaces (``tokens.document_tokens``), so putting the kind
# before the first and after every space qualifies each one. No kind's name is the start of
# another's, so a qualified token says which kind and which token it is.
QUALIFIED = "kind || replace(tokens, ' ', ' ' || kind)"

FORWARD = [
    "DROP INDEX IF EXISTS search_tsv",
    f"ALTER TABLE {TABLE} DROP COLUMN tsv",
    f"ALTER TABLE {TABLE} ADD COLUMN tsv tsvector "
    f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {QUALIFIED})) STORED",
    f"CREATE INDEX search_tsv ON {TABLE} USING gin (tsv)",
    "DROP INDEX IF EXISTS search_policy",
    f"CREATE INDEX search_entity ON {TABLE} (entity_id)",
]
REVERSE = [
    "DROP INDEX IF EXISTS search_entity",
    f"CREATE INDEX search_policy ON {TABLE} (permission, jurisdiction_path text_pattern_ops)",
    "DROP INDEX IF EXISTS search_tsv",
    f"ALTER TABLE {TABLE} DROP COLUMN tsv",
    f"ALTER TABLE {TABLE} ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, tokens)) STORED",
    f"CREATE INDEX search_tsv ON {TABLE} USING gin (tsv)",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_search_campaigns")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]

"""The same full-text search on SQLite as on PostgreSQL (claims.search.engines).

SQLite gains an FTS5 table for claims, evidence and papers (Porter stemming
over unicode61 words), kept in step with its table by triggers: installed by
claims.search.sqlite_index, which also repairs them after later migrations.
PostgreSQL's stored documents gain the evidence's quote and the papers' authors, journal
and identifiers, and turn ASCII punctuation into spaces before parsing, so
both databases split "IL-6", "CXCL12/SDF-1" and a DOI into the same words.

The fields, in order, must stay those of claims.search.engines.FIELDS.
"""

from django.db import migrations

from claims.search import sqlite_index

# ASCII punctuation, which PostgreSQL's documents turn into spaces.
PUNCTUATION = r"'[!-/:-@\[-`{-~]+'"
TITLE = "CASE WHEN title = '' THEN curated_title ELSE title END"

# Per table, each indexed field's expression (None: the authors, below) and
# its weight, in the order of claims.search.engines.FIELDS.
FIELDS = {
    "claims_claim": [("statement", "A")],
    "claims_evidence": [("finding", "B"), ("quote", "B")],
    "claims_publication": [
        (TITLE, "C"),
        (None, "C"),
        ("journal", "C"),
        ("pmid::text || ' ' || doi || ' ' || pmcid", "C"),
        ("abstract", "D"),
    ],
}


def _pg_vector(expression: str | None) -> str:
    if expression is None:
        # The curated first author, and every name of every author PubMed
        # lists: to_tsvector reads a jsonb's string values.
        authors = "to_tsvector('english'::regconfig, authors)"
        return f"{_pg_vector('first_author')} || {authors}"
    return (
        "to_tsvector('english'::regconfig, "
        f"regexp_replace(COALESCE({expression}, ''), {PUNCTUATION}, ' ', 'g'))"
    )


def _pg_statements(table: str) -> list[str]:
    document = " || ".join(
        f"setweight({_pg_vector(e)}, '{weight}')" for e, weight in FIELDS[table]
    )
    return [
        f"ALTER TABLE {table} DROP COLUMN search_document",
        f"ALTER TABLE {table} ADD COLUMN search_document tsvector "
        f"GENERATED ALWAYS AS ({document}) STORED",
        f"CREATE INDEX {table}_search_document ON {table} USING gin (search_document)",
        f"ANALYZE {table}",
    ]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        sqlite_index.install(schema_editor.connection)
        return
    for table in FIELDS:
        for sql in _pg_statements(table):
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    # PostgreSQL keeps the richer documents: 0010's code reads them just as well.
    if schema_editor.connection.vendor == "sqlite":
        sqlite_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0013_claim_aliases_and_not_reported"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

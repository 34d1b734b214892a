"""Stored search documents on PostgreSQL, in place of expression indexes.

An expression index finds the rows, but every row it finds must be stemmed
again to check it, and for a common word ("tumor", in 59,223 of 60,000 papers)
PostgreSQL chose to stem every title and abstract instead: 9 s a search. A
stored generated column is stemmed once, when the row is written, and read
from then on. The model does not declare the column (SQLite, the embedded
default, searches words with LIKE): claims.search reads it through
`Document`. The expressions must stay those of claims.search.DOCUMENTS.
"""

from django.db import migrations

DOCUMENTS = {
    "claims_claim": (
        "setweight(to_tsvector('english'::regconfig, COALESCE(statement, '')), 'A')"
    ),
    "claims_evidence": (
        "setweight(to_tsvector('english'::regconfig, COALESCE(finding, '')), 'A')"
    ),
    "claims_publication": (
        "setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
        " || setweight(to_tsvector('english'::regconfig, COALESCE(abstract, '')), 'C')"
    ),
}


def add_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, expression in DOCUMENTS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_document tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {table}_search_document ON {table} "
            "USING gin (search_document)"
        )


def drop_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in DOCUMENTS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search_document")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0009_accepted_evidence_by_paper_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="claim", name="claim_statement_search"),
        migrations.RemoveIndex(model_name="evidence", name="evidence_finding_search"),
        migrations.RemoveIndex(
            model_name="publication", name="publication_text_search"
        ),
        migrations.RunPython(add_documents, drop_documents),
    ]

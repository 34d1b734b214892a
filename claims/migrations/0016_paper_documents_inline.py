"""Papers' search documents kept in the row, not in PostgreSQL's TOAST table.

A paper's document (its title, authors and abstract, about 2 KB) was stored out
of line, so checking a term against one cost a TOAST fetch: 237 ms to test
"tumor" against the 60,000 papers at bench scale, 49 ms once they are in the
row (docs/performance.md). VACUUM FULL rewrites the rows already stored.
SQLite keeps its documents in FTS5 tables: nothing to do there.
"""

from django.db import migrations

TABLE = "claims_publication"


def _set_storage(schema_editor, storage: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN search_document SET STORAGE {storage}"
        )
        cursor.execute(f"VACUUM FULL {TABLE}")
        cursor.execute(f"ANALYZE {TABLE}")


def forwards(apps, schema_editor):
    _set_storage(schema_editor, "MAIN")


def backwards(apps, schema_editor):
    _set_storage(schema_editor, "EXTENDED")


class Migration(migrations.Migration):
    # VACUUM cannot run inside a transaction.
    atomic = False

    dependencies = [("claims", "0015_evidence_accepted_by_rating")]

    operations = [migrations.RunPython(forwards, backwards)]

"""The search documents' GIN indexes updated at once, not through a pending list.

With fastupdate on (PostgreSQL's default), new entries wait in a pending list
that every search scans linearly and that only VACUUM merges; autovacuum is off
on our machines, so the list would grow until the next run. The portal writes
rarely and reads often: each write now updates the index itself.
"""

from django.db import migrations

TABLES = ("claims_claim", "claims_evidence", "claims_publication")


def _set_fastupdate(schema_editor, value: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        index = f"{table}_search_document"
        schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = {value})")
        if value == "off":
            # What is pending already goes into the index now.
            schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def forwards(apps, schema_editor):
    _set_fastupdate(schema_editor, "off")


def backwards(apps, schema_editor):
    _set_fastupdate(schema_editor, "on")


class Migration(migrations.Migration):
    dependencies = [("claims", "0017_publication_year_id")]

    operations = [migrations.RunPython(forwards, backwards)]

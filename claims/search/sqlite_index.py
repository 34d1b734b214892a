"""SQLite's full-text index: an FTS5 table per searched kind, kept in step
with its table by triggers, so every door that writes a row (admin, API,
loader, refresh) keeps the index current.

Migration 0014 installs it. Django rebuilds a SQLite table to alter it (a new
table, the rows copied, the old one dropped), which drops its triggers with
it; `repair`, run after every migrate (claims.apps), puts back any trigger a
later migration lost and re-reads the index from the tables.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

from claims.search.engines import FIELDS, fts_table

TITLE = "CASE WHEN {row}.title = '' THEN {row}.curated_title ELSE {row}.title END"
# Each indexed field of claims.search.engines.FIELDS as SQL over a row ({row}).
EXPRESSIONS = {
    "statement": "{row}.statement",
    "finding": "{row}.finding",
    "quote": "{row}.quote",
    "title": TITLE,
    # The curated first author, and every name of every author PubMed lists
    # (a JSON list of objects: its string values).
    "authors": "{row}.first_author || ' ' || COALESCE((SELECT group_concat(value, ' ') "
    "FROM json_tree({row}.authors) WHERE type = 'text'), '')",
    "journal": "{row}.journal",
    "identifiers": "{row}.pmid || ' ' || {row}.doi || ' ' || {row}.pmcid",
    "abstract": "{row}.abstract",
}
TRIGGERS = ("insert", "delete", "update")


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the FTS5 tables and their triggers, and index every row."""
    with connection.cursor() as cursor:
        for model, fields in FIELDS.items():
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts_table(model)} USING "
                f"fts5({', '.join(fields)}, tokenize = 'porter unicode61')"
            )
            for sql in _triggers(model):
                cursor.execute(sql)
            _reindex(cursor, model)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for model in FIELDS:
            for trigger in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {fts_table(model)}_{trigger}")
            cursor.execute(f"DROP TABLE IF EXISTS {fts_table(model)}")


def repair(connection: BaseDatabaseWrapper) -> None:
    """Put back the triggers a table rebuild dropped, and re-read its rows."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"
        )
        present = {name for (name,) in cursor.fetchall()}
        for model in FIELDS:
            table = fts_table(model)
            wanted = {f"{table}_{trigger}" for trigger in TRIGGERS}
            if table in present and not wanted <= present:
                for sql in _triggers(model):
                    cursor.execute(sql)
                _reindex(cursor, model)


def _triggers(model) -> list[str]:
    table, fts = model._meta.db_table, fts_table(model)
    insert = _insert(model, "new")
    return [
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} "
        f"BEGIN {insert}; END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} "
        f"BEGIN DELETE FROM {fts} WHERE rowid = old.id; END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE ON {table} "
        f"BEGIN DELETE FROM {fts} WHERE rowid = old.id; {insert}; END",
    ]


def _reindex(cursor, model) -> None:
    table = model._meta.db_table
    cursor.execute(f"DELETE FROM {fts_table(model)}")
    cursor.execute(f"{_insert(model, table)} FROM {table}")


def _insert(model, row: str) -> str:
    fields = FIELDS[model]
    values = ", ".join(EXPRESSIONS[f].format(row=row) for f in fields)
    columns = ", ".join(fields)
    return f"INSERT INTO {fts_table(model)}(rowid, {columns}) SELECT {row}.id, {values}"

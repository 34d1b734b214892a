"""What the database's own background workers would do, done by the portal.

PostgreSQL here runs without autovacuum, so nothing else refreshes the planner's
statistics (a search plan built on stale ones read every paper's document) or
the visibility map (without it an index-only scan visits the table anyway).
`maintain_database` does both; Celery beat runs it nightly, and
`manage.py maintain_database` runs it after a bulk load. The search indexes do
not wait for it: they are built with fastupdate off (migration 0018), so no
pending list grows between runs.
"""

from django.db import connections


def maintain_database(using: str = "default") -> list[str]:
    """Refresh the planner's statistics (and, on PostgreSQL, vacuum every
    table); the statements run. Outside any transaction: VACUUM refuses one."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise RuntimeError("maintain_database cannot run inside a transaction.")
    if connection.vendor == "postgresql":
        statements = ["VACUUM (ANALYZE)"]
    else:
        statements = ["ANALYZE", "PRAGMA optimize"]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    return statements

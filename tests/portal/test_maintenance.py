"""The portal does the database's upkeep itself: autovacuum is off here."""

import pytest
from celery.schedules import crontab
from django.core.management import call_command
from django.db import connection, transaction

from portal.celery import app as celery_app
from portal.maintenance import maintain_database
from portal.tasks import maintain_database_task
from tests.factories import PublicationFactory

POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL")
SQLITE = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite")
SEARCH_INDEXES = [
    f"{table}_search_document"
    for table in ("claims_claim", "claims_evidence", "claims_publication")
]


def test_beat_maintains_the_database_nightly_with_a_task_the_worker_knows():
    entry = celery_app.conf.beat_schedule["maintain-database-nightly"]
    celery_app.loader.import_default_modules()

    assert entry["task"] == "portal.tasks.maintain_database_task"
    assert entry["schedule"] == crontab(hour=3, minute=0)
    assert entry["task"] in celery_app.tasks


@pytest.mark.django_db
def test_refuses_to_run_inside_a_transaction():
    with transaction.atomic(), pytest.raises(RuntimeError, match="transaction"):
        maintain_database()


@POSTGRES
@pytest.mark.django_db(transaction=True)
def test_the_task_vacuums_and_analyzes_postgresql():
    PublicationFactory.create_batch(50)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpages, relallvisible FROM pg_class "
            "WHERE relname = 'claims_publication'"
        )
        _, visible_before = cursor.fetchone()

    assert maintain_database_task.apply().get() == ["VACUUM (ANALYZE)"]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples, relpages, relallvisible FROM pg_class "
            "WHERE relname = 'claims_publication'"
        )
        tuples, pages, visible = cursor.fetchone()
    # ANALYZE counted the rows; VACUUM marked every page all-visible, so an
    # index-only scan no longer visits the table.
    assert tuples == 50
    assert visible_before == 0
    assert pages > 0
    assert visible == pages


@SQLITE
@pytest.mark.django_db(transaction=True)
def test_the_command_analyzes_sqlite(capsys):
    PublicationFactory.create_batch(5)

    call_command("maintain_database")

    ran = capsys.readouterr().out.splitlines()
    assert ran == ["ran ANALYZE", "ran PRAGMA optimize"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'claims_publication'")
        assert cursor.fetchall()


@POSTGRES
@pytest.mark.django_db
@pytest.mark.parametrize("index", SEARCH_INDEXES)
def test_search_indexes_keep_no_pending_list_for_vacuum_to_merge(index):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [index])
        assert cursor.fetchone() == (["fastupdate=off"],)

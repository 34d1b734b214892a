"""On PostgreSQL the data version comes from trigger-kept stamps. Its row counts
always equal the tables', and its last change the newest row's, or the time of a
later deletion: whatever wrote to the tables."""

import pytest
from django.db import connection
from django.utils import timezone

from claims.freshness import data_version, scanned_version
from claims.models import DataStamp, Evidence, Publication
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the stamps are PostgreSQL's"
    ),
]


def assert_current(*, deleted: bool = False) -> None:
    stamped, scanned = data_version(), scanned_version()
    assert stamped.rows == scanned.rows
    if deleted:
        assert stamped.last_change >= scanned.last_change
    else:
        assert stamped.last_change == scanned.last_change


def test_stamps_follow_inserts_updates_and_deletes():
    evidence = EvidenceFactory()
    assert_current()

    evidence.finding = "Revised."
    evidence.save()
    assert_current()

    before = data_version()
    evidence.delete()
    assert_current(deleted=True)
    assert data_version().rows["evidence"] == 0
    assert data_version().token != before.token


def test_stamps_follow_bulk_and_raw_writes():
    claim = ClaimFactory()
    papers = Publication.objects.bulk_create(
        PublicationFactory.build(pmid=900 + n) for n in range(5)
    )
    Evidence.objects.bulk_create(
        EvidenceFactory.build(claim=claim, publication=paper) for paper in papers
    )
    assert_current()
    assert data_version().rows["evidence"] == 5

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM claims_evidence "
            "WHERE id = (SELECT min(id) FROM claims_evidence)"
        )
    Publication.objects.filter(pmid=900).update(
        title="Changed", updated_at=timezone.now()
    )
    Evidence.objects.all().delete()

    assert_current(deleted=True)
    assert data_version().rows["evidence"] == 0


def test_stamps_fold_into_one_per_table_and_keep_their_sums():
    claim = ClaimFactory()
    for _ in range(60):
        EvidenceFactory(claim=claim).delete()
        EvidenceFactory(claim=claim)

    assert DataStamp.objects.count() <= 101
    assert_current(deleted=True)
    assert data_version().rows["evidence"] == 60


def test_a_raw_write_makes_the_old_etags_of_pages_and_api_stale(client):
    claim = ClaimFactory(slug="c")
    EvidenceFactory(claim=claim)
    urls = ["/claims/c/", "/claims/", "/api/v1/claims/c/"]
    etags = {url: client.get(url)["ETag"] for url in urls}
    assert all(
        client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        for url, etag in etags.items()
    )

    with connection.cursor() as cursor:
        # A writer outside the ORM touches updated_at, as the stamps expect.
        cursor.execute(
            "UPDATE claims_evidence "
            "SET finding = 'Raw.', updated_at = clock_timestamp()"
        )

    for url, etag in etags.items():
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200, url

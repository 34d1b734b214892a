"""Cached API reads follow every change to the data, and never cross readers."""

import pytest

from claims import curation
from claims.models import Evidence
from tests.api.conftest import client_for
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    claim = ClaimFactory(slug="c")
    EvidenceFactory(claim=claim)
    return claim


def totals(api, url="/api/v1/claims/c/") -> int:
    return api.get(url).json()["evidence_counts"]["total"]


def test_an_accepted_record_shows_in_a_cached_claim_at_once(api, claim, editor):
    draft = EvidenceFactory(claim=claim, status=Evidence.Status.SUBMITTED)
    assert totals(api) == 1

    curation.evidence_accept(evidence=draft, by=editor)

    assert totals(api) == 2
    listed = api.get("/api/v1/claims/").json()["results"][0]
    assert listed["evidence_counts"]["total"] == 2


def test_a_rejected_record_leaves_a_cached_claim_at_once(api, claim, editor):
    assert totals(api) == 1

    curation.evidence_reject(
        evidence=claim.evidence.get(), by=editor, reason="Wrong paper."
    )

    assert totals(api) == 0
    assert api.get("/api/v1/evidence/").json()["count"] == 0


def test_a_retraction_shows_in_cached_evidence_at_once(api, claim):
    assert (
        api.get("/api/v1/evidence/").json()["results"][0]["publication"]["is_retracted"]
        is False
    )
    paper = claim.evidence.get().publication
    paper.is_retracted = True
    paper.save()

    evidence = api.get("/api/v1/evidence/").json()["results"][0]
    assert evidence["publication"]["is_retracted"] is True


def test_a_deleted_record_leaves_a_cached_list_at_once(api, claim):
    EvidenceFactory(claim=claim, publication=PublicationFactory())
    assert api.get("/api/v1/evidence/").json()["count"] == 2

    Evidence.objects.filter(pk=claim.evidence.first().pk).delete()

    assert api.get("/api/v1/evidence/").json()["count"] == 1


def test_a_curators_drafts_never_reach_an_anonymous_reader(api, claim, curator):
    EvidenceFactory(claim=claim, status=Evidence.Status.DRAFT, created_by=curator)
    mine = client_for(curator)

    assert mine.get("/api/v1/evidence/").json()["count"] == 2
    assert api.get("/api/v1/evidence/").json()["count"] == 1
    assert mine.get("/api/v1/evidence/").json()["count"] == 2


def test_links_in_a_cached_answer_name_the_host_asked(api, claim):
    first = api.get("/api/v1/claims/c/", HTTP_HOST="localhost").json()["url"]
    second = api.get("/api/v1/claims/c/", HTTP_HOST="127.0.0.1").json()["url"]

    assert first.startswith("http://localhost/")
    assert second.startswith("http://127.0.0.1/")

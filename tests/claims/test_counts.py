"""Counts of claims: records per page, and the papers the stored verdict counts."""

import pytest
from django.db.models import Count, Q

from claims.models import Claim, Evidence
from claims.selectors import evidence_counts
from claims.services import claims_recompute_status
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims():
    """Claims with every case the counts must tell apart."""
    busy, quiet = ClaimFactory(slug="busy"), ClaimFactory(slug="quiet")
    ClaimFactory(slug="empty")
    paper, retracted = PublicationFactory(), PublicationFactory(is_retracted=True)
    EvidenceFactory(claim=busy, publication=paper)
    EvidenceFactory(claim=busy, publication=paper, effect="mixed")  # same paper
    EvidenceFactory(claim=busy, publication=retracted)
    EvidenceFactory(claim=busy, level="review")
    EvidenceFactory(claim=busy, stance="refutes", effect="anti_tumor")
    EvidenceFactory(claim=busy, stance="qualifies", effect="no_effect")
    EvidenceFactory(claim=busy, status=Evidence.Status.DRAFT)
    EvidenceFactory(claim=busy, status=Evidence.Status.REJECTED, stance="refutes")
    EvidenceFactory(claim=quiet, stance="refutes", effect="not_assessed")
    return list(Claim.objects.order_by("slug"))


def test_stored_paper_counts_count_each_counted_paper_once(claims):
    claims_recompute_status()

    busy = Claim.objects.get(slug="busy")
    # One paper for (two records), one against, one qualifying; the retracted
    # paper, the review and the draft and rejected records do not count.
    assert (busy.n_supporting, busy.n_refuting, busy.n_qualifying) == (1, 1, 1)
    assert busy.n_papers == 3
    assert busy.left_out == {"retracted": 1, "review": 1}


def test_evidence_counts_of_a_page_equal_counting_each_claims_records(claims):
    accepted = Q(evidence__status=Evidence.Status.ACCEPTED)
    names = ["accepted", *Evidence.Stance.values, *Evidence.Effect.values]
    annotated = Claim.objects.annotate(
        accepted=Count("evidence", filter=accepted),
        **{
            name: Count(
                "evidence",
                filter=accepted & (Q(evidence__stance=name) | Q(evidence__effect=name)),
            )
            for name in names[1:]
        },
    ).order_by("slug")
    expected = [[getattr(c, n) for n in names] for c in annotated]

    counts = evidence_counts([c.pk for c in claims])

    found = [[counts[c.pk][n] for n in names] for c in claims]
    assert found == expected
    assert counts[claims[0].pk]["accepted"] == 6
    assert counts[claims[0].pk]["mixed"] == 1


def test_counts_of_a_page_take_one_query_whatever_its_size(
    claims, django_assert_num_queries
):
    with django_assert_num_queries(1):
        evidence_counts([c.pk for c in claims])

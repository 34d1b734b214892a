import pytest
from django.db import IntegrityError, transaction

from claims.disagreement import counted
from claims.models import Evidence, Publication
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def test_pmid_is_unique():
    PublicationFactory(pmid=16214129)

    with pytest.raises(IntegrityError), transaction.atomic():
        PublicationFactory(pmid=16214129)


def test_pmid_zero_is_rejected_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.create(pmid=0, title="x")


@pytest.mark.parametrize("rating", [0, 6])
def test_rating_outside_one_to_five_is_rejected_by_the_database(rating):
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceFactory(rating=rating)


def test_exact_duplicate_evidence_is_rejected_by_the_database():
    first = EvidenceFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceFactory(claim=first.claim, publication=first.publication)


def test_same_paper_may_support_a_claim_in_two_contexts():
    first = EvidenceFactory(delivery=Evidence.Delivery.CO_INJECTION)

    second = EvidenceFactory(
        claim=first.claim,
        publication=first.publication,
        delivery=Evidence.Delivery.SYSTEMIC,
    )

    assert second.pk != first.pk


def test_claim_changes_are_kept_in_history():
    claim = ClaimFactory(statement="First wording.")
    claim.statement = "Second wording."
    claim.save()

    assert [h.statement for h in claim.history.order_by("history_date")] == [
        "First wording.",
        "Second wording.",
    ]


def test_evidence_changes_are_kept_in_history():
    evidence = EvidenceFactory(rating=2)
    evidence.rating = 4
    evidence.save()

    assert evidence.history.count() == 2
    assert evidence.history.earliest().rating == 2


def test_counted_evidence_excludes_drafts_retracted_and_unconfirmed_papers():
    kept = EvidenceFactory()
    EvidenceFactory(claim=kept.claim, status=Evidence.Status.DRAFT)
    EvidenceFactory(claim=kept.claim, publication__is_retracted=True)
    EvidenceFactory(claim=kept.claim, publication__metadata_state="pending")
    EvidenceFactory(claim=kept.claim, publication__verification="mismatch")

    assert counted(Evidence.objects.all()) == [kept]


@pytest.mark.parametrize(
    ("state", "verification", "awaiting"),
    [
        ("current", "verified", ""),
        ("pending", "unverified", "not_fetched"),
        ("failed", "unverified", "not_fetched"),
        ("current", "unverified", "not_fetched"),
        ("missing", "verified", "missing"),
        ("current", "mismatch", "title_mismatch"),
    ],
)
def test_a_paper_awaits_verification_until_pubmed_confirms_it(
    state, verification, awaiting
):
    paper = Publication(metadata_state=state, verification=verification)

    assert paper.awaiting_verification == awaiting


def test_a_new_paper_is_not_confirmed_by_default():
    assert Publication(pmid=1).awaiting_verification == "not_fetched"


@pytest.mark.parametrize("state", Publication.MetadataState.values)
@pytest.mark.parametrize("verification", Publication.Verification.values)
def test_confirmed_papers_are_exactly_those_not_awaiting_verification(
    state, verification
):
    paper = PublicationFactory(metadata_state=state, verification=verification)

    confirmed = Publication.objects.confirmed().filter(pk=paper.pk).exists()

    assert confirmed is (paper.awaiting_verification == "")

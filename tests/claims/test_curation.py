import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims import curation
from claims.models import Evidence
from claims.status_rules import ClaimStatus
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return UserFactory(username="curator", groups=[curation.CURATOR_GROUP])


@pytest.fixture
def other_curator():
    return UserFactory(username="other", groups=[curation.CURATOR_GROUP])


@pytest.fixture
def editor():
    return UserFactory(username="editor", groups=[curation.EDITOR_GROUP])


@pytest.fixture
def draft(curator):
    return curation.evidence_create(
        by=curator,
        claim=ClaimFactory(),
        publication=PublicationFactory(abstract="MSC enhanced tumor growth in mice."),
        stance="supports",
        effect="pro_tumor",
        level="animal",
        finding="Co-injection enlarged the tumors.",
        rating=3,
    )


def test_the_roles_exist_with_their_permissions(curator, editor):
    assert curator.has_perm("claims.add_evidence")
    assert not curator.has_perm(curation.MODERATE_PERMISSION)
    assert editor.has_perm(curation.MODERATE_PERMISSION)


def test_new_evidence_is_a_draft_owned_by_its_curator(draft, curator):
    assert draft.status == Evidence.Status.DRAFT
    assert draft.created_by == curator


def test_a_user_without_a_role_cannot_record_evidence():
    with pytest.raises(PermissionDenied):
        curation.evidence_create(
            by=UserFactory(),
            claim=ClaimFactory(),
            publication=PublicationFactory(),
            stance="supports",
            effect="pro_tumor",
            level="animal",
            finding="x",
        )


def test_a_curator_cannot_accept_evidence(draft, curator):
    curation.evidence_submit(evidence=draft, by=curator)

    with pytest.raises(PermissionDenied):
        curation.evidence_accept(evidence=draft, by=curator)


def test_an_editor_accepts_submitted_evidence_and_it_counts(draft, curator, editor):
    curation.evidence_submit(evidence=draft, by=curator)

    curation.evidence_accept(evidence=draft, by=editor, reason="Solid design.")

    draft.claim.refresh_from_db()
    assert (draft.status, draft.reviewed_by) == (Evidence.Status.ACCEPTED, editor)
    assert draft.claim.status == ClaimStatus.SUPPORTED


def test_only_submitted_evidence_can_be_accepted(draft, editor):
    with pytest.raises(ValidationError, match="cannot become accepted"):
        curation.evidence_accept(evidence=draft, by=editor)


def test_rejected_evidence_does_not_count(draft, curator, editor):
    curation.evidence_submit(evidence=draft, by=curator)

    curation.evidence_reject(evidence=draft, by=editor, reason="Wrong paper.")

    draft.claim.refresh_from_db()
    assert draft.status == Evidence.Status.REJECTED
    assert draft.review_reason == "Wrong paper."
    assert draft.claim.status == ClaimStatus.INSUFFICIENT


def test_rejecting_needs_a_reason(draft, curator, editor):
    curation.evidence_submit(evidence=draft, by=curator)

    with pytest.raises(ValidationError):
        curation.evidence_reject(evidence=draft, by=editor, reason=" ")


def test_withdrawing_accepted_evidence_recomputes_the_claim(draft, curator, editor):
    curation.evidence_submit(evidence=draft, by=curator)
    curation.evidence_accept(evidence=draft, by=editor)

    curation.evidence_reject(evidence=draft, by=editor, reason="Misread the figure.")

    draft.claim.refresh_from_db()
    assert draft.claim.status == ClaimStatus.INSUFFICIENT


def test_a_curator_edits_only_their_own_drafts(draft, curator, other_curator):
    curation.evidence_update(evidence=draft, by=curator, rating=4)

    with pytest.raises(PermissionDenied):
        curation.evidence_update(evidence=draft, by=other_curator, rating=1)
    curation.evidence_submit(evidence=draft, by=curator)
    with pytest.raises(PermissionDenied):
        curation.evidence_update(evidence=draft, by=curator, rating=5)


def test_an_editor_edits_any_evidence(draft, editor):
    curation.evidence_update(evidence=draft, by=editor, rating=5, reason="Typo")

    assert Evidence.objects.get(pk=draft.pk).rating == 5


def test_fields_outside_the_form_cannot_be_set_through_update(draft, editor):
    with pytest.raises(ValidationError, match="status"):
        curation.evidence_update(evidence=draft, by=editor, status="accepted")


def test_history_records_author_and_reason(draft, editor):
    curation.evidence_update(evidence=draft, by=editor, rating=5, reason="Re-rated")

    latest = draft.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Re-rated")
    assert latest.rating == 5


def test_reverting_to_a_past_version_restores_the_old_values(draft, editor):
    curation.evidence_update(evidence=draft, by=editor, finding="New words.")
    first = draft.history.earliest()

    first.instance.save()

    assert (
        Evidence.objects.get(pk=draft.pk).finding == "Co-injection enlarged the tumors."
    )


def test_a_duplicate_claim_paper_stance_is_found(draft):
    assert list(
        curation.evidence_duplicates(
            claim=draft.claim, publication=draft.publication, stance="supports"
        )
    ) == [draft]
    assert not curation.evidence_duplicates(
        claim=draft.claim,
        publication=draft.publication,
        stance="supports",
        exclude_pk=draft.pk,
    ).exists()


@pytest.mark.parametrize(
    ("quote", "abstract", "status"),
    [
        ("enhanced  TUMOR growth", "MSC enhanced tumor growth in mice.", "verified"),
        ("reduced tumor growth", "MSC enhanced tumor growth in mice.", "not_found"),
        ("enhanced tumor growth", "", "unverifiable"),
        ("", "anything", "none"),
    ],
)
def test_quotes_are_checked_against_the_abstract(quote, abstract, status):
    assert curation.quote_status(quote=quote, abstract=abstract) == status


def test_evidence_factory_defaults_stay_accepted():
    assert EvidenceFactory().status == Evidence.Status.ACCEPTED

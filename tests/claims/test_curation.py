import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims import curation
from claims.models import Claim, Evidence, Publication
from claims.selectors import claims_drift
from claims.status_rules import RULES_VERSION, ClaimKind, ClaimStatus
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    TopicFactory,
    UserFactory,
)

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)

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


# -- four eyes ---------------------------------------------------------------------


@pytest.fixture
def own_submission(editor):
    """Evidence an editor recorded and submitted themselves."""
    evidence = curation.evidence_create(
        by=editor,
        claim=ClaimFactory(),
        publication=PublicationFactory(),
        stance="supports",
        effect="pro_tumor",
        level="animal",
        finding="Co-injection enlarged the tumors.",
    )
    return curation.evidence_submit(evidence=evidence, by=editor)


def test_an_editor_cannot_accept_evidence_they_created_or_submitted(own_submission):
    editor = own_submission.created_by

    with pytest.raises(PermissionDenied, match="another editor"):
        curation.evidence_accept(evidence=own_submission, by=editor)
    with pytest.raises(PermissionDenied, match="another editor"):
        curation.evidence_reject(evidence=own_submission, by=editor, reason="No.")

    assert Evidence.objects.get(pk=own_submission.pk).status == "submitted"


def test_an_editor_cannot_review_what_they_submitted_for_a_curator(
    draft, editor, curator
):
    curation.evidence_submit(evidence=draft, by=editor)

    with pytest.raises(PermissionDenied, match="Four eyes"):
        curation.evidence_accept(evidence=draft, by=editor)


def test_another_editor_accepts_an_editors_own_evidence(own_submission):
    second = UserFactory(username="second-editor", groups=[curation.EDITOR_GROUP])

    curation.evidence_accept(evidence=own_submission, by=second)

    assert Evidence.objects.get(pk=own_submission.pk).reviewed_by == second


def test_with_four_eyes_off_an_editor_accepts_their_own_evidence(
    own_submission, settings
):
    settings.CURATION_FOUR_EYES = False

    curation.evidence_accept(evidence=own_submission, by=own_submission.created_by)

    assert Evidence.objects.get(pk=own_submission.pk).status == "accepted"


# -- claims and papers ---------------------------------------------------------------


def test_changing_a_claims_kind_recomputes_its_verdict(editor):
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, stance="supports")
    EvidenceFactory(claim=claim, stance="refutes")
    curation.claims_recompute_status(claim_ids=[claim.pk])

    claim = curation.claim_update(
        claim=claim, by=editor, kind=ClaimKind.EXISTENTIAL, reason="It says 'can'"
    )

    # A counterexample only qualifies a "can": the claim is no longer disputed.
    assert claim.status == ClaimStatus.SUPPORTED
    assert claims_drift(claim_ids=[claim.pk]) == []
    assert claim.history.first().history_change_reason == "Status recomputed (rule R6)"


def test_a_new_claim_stores_the_verdict_of_the_rules(editor):
    claim = curation.claim_create(
        by=editor,
        topic=TopicFactory(),
        slug="new-claim",
        statement="MSC home to tumors.",
        setting=Claim.Setting.PRIMARY_TUMOR,
    )

    assert (claim.status_rule, claim.status_rules_version) == ("R1", RULES_VERSION)
    assert claims_drift() == []


def test_a_curator_cannot_change_a_claim_nor_its_verdict(curator, editor):
    claim = ClaimFactory()

    with pytest.raises(PermissionDenied, match="Only editors"):
        curation.claim_update(claim=claim, by=curator, statement="Changed.")
    with pytest.raises(ValidationError, match="status"):
        curation.claim_update(claim=claim, by=editor, status=ClaimStatus.REFUTED)


def test_a_checked_title_pubmed_contradicts_stops_the_papers_evidence_counting(
    curator,
):
    evidence = EvidenceFactory(publication=PublicationFactory(fetched_at=NOW))
    curation.claims_recompute_status(claim_ids=[evidence.claim_id])

    paper = curation.publication_update(
        publication=evidence.publication,
        by=curator,
        curated_title="A different paper altogether",
    )

    claim = Claim.objects.get(pk=evidence.claim_id)
    assert paper.verification == Publication.Verification.MISMATCH
    assert paper.needs_review
    assert claim.status == ClaimStatus.INSUFFICIENT
    assert claim.left_out == {"title_mismatch": 1}


def test_only_what_curators_own_on_a_paper_can_be_changed(curator):
    paper = PublicationFactory()

    with pytest.raises(ValidationError, match="pmid"):
        curation.publication_update(publication=paper, by=curator, pmid=1)
    with pytest.raises(ValidationError, match="is_retracted"):
        curation.publication_update(publication=paper, by=curator, is_retracted=True)
    with pytest.raises(PermissionDenied):
        curation.publication_update(publication=paper, by=UserFactory(), review_note="")

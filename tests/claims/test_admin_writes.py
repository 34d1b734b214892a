"""Admin writes through the services: change forms, and history revert as an edit."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from claims import curation
from claims.models import Claim, Evidence, Publication
from claims.selectors import claims_drift
from claims.services import claims_recompute_status
from claims.status_rules import ClaimKind, ClaimStatus
from tests.admin_forms import form_data, post_form
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WORKFLOW = (
    "status",
    "created_by",
    "submitted_by",
    "reviewed_by",
    "review_reason",
    "needs_rereview",
    "rereview_reason",
    "source_key",
)


@pytest.fixture
def curator():
    return UserFactory(username="curator", is_staff=True, groups=["Curator"])


@pytest.fixture
def editor():
    return UserFactory(username="editor", is_staff=True, groups=["Editor"])


@pytest.fixture
def second_editor():
    return UserFactory(username="second-editor", is_staff=True, groups=["Editor"])


def recorded(curator, **fields) -> Evidence:
    """A curator's draft, supporting a claim of its own."""
    values = {
        "claim": ClaimFactory(),
        "publication": PublicationFactory(),
        "stance": "supports",
        "effect": "pro_tumor",
        "level": "animal",
        "finding": "Co-injected MSC enlarged the tumors.",
        **fields,
    }
    return curation.evidence_create(by=curator, **values)


def accepted(curator, editor, **fields) -> Evidence:
    evidence = recorded(curator, **fields)
    curation.evidence_submit(evidence=evidence, by=curator)
    return curation.evidence_accept(evidence=evidence, by=editor, reason="Checked")


def revert_url(record, version) -> str:
    name = f"admin:claims_{record._meta.model_name}_simple_history"
    return reverse(name, args=[record.pk, version.history_id])


def workflow(evidence: Evidence) -> tuple:
    return tuple(getattr(evidence, name) for name in WORKFLOW)


def test_revert_never_changes_workflow_fields(client, curator, editor, second_editor):
    evidence = accepted(curator, editor)
    curation.evidence_update(evidence=evidence, by=editor, stance="refutes")
    claim = Claim.objects.get(pk=evidence.claim_id)
    assert claim.status == ClaimStatus.REFUTED
    before = workflow(Evidence.objects.get(pk=evidence.pk))
    created = evidence.history.earliest()
    assert (created.status, created.history_change_reason) == ("draft", "Created")
    client.force_login(second_editor)

    response = post_form(client, revert_url(evidence, created))

    assert response.status_code == 302
    evidence.refresh_from_db()
    claim.refresh_from_db()
    assert evidence.stance == "supports"
    assert workflow(evidence) == before
    assert evidence.status == Evidence.Status.ACCEPTED
    assert claim.status == ClaimStatus.SUPPORTED
    assert claims_drift() == []


def test_a_curator_cannot_turn_accepted_evidence_back_into_a_draft_by_revert(
    client, curator, editor
):
    evidence = accepted(curator, editor)
    url = revert_url(evidence, evidence.history.earliest())
    client.force_login(curator)

    opened = client.get(url)
    posted = client.post(url, form_data_of(evidence))

    assert (opened.status_code, posted.status_code) == (403, 403)
    assert Evidence.objects.get(pk=evidence.pk).status == Evidence.Status.ACCEPTED


def test_an_editor_cannot_accept_rejected_evidence_by_reverting_to_its_acceptance(
    client, curator, editor, second_editor
):
    evidence = accepted(curator, editor)
    curation.evidence_reject(evidence=evidence, by=editor, reason="Misread it")
    when_accepted = evidence.history.filter(status="accepted").get()
    client.force_login(second_editor)

    response = post_form(client, revert_url(evidence, when_accepted))

    assert response.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.status, evidence.review_reason) == ("rejected", "Misread it")
    assert Claim.objects.get(pk=evidence.claim_id).status == ClaimStatus.INSUFFICIENT
    assert claims_drift() == []


def test_a_curator_reverts_their_own_draft(client, curator):
    evidence = recorded(curator)
    curation.evidence_update(evidence=evidence, by=curator, finding="Second words.")
    client.force_login(curator)

    response = post_form(client, revert_url(evidence, evidence.history.earliest()))

    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.finding == "Co-injected MSC enlarged the tumors."
    assert evidence.history.latest().history_user == curator


def test_a_curator_cannot_open_or_post_the_revert_of_another_curators_draft(
    client, curator
):
    evidence = recorded(curator)
    curation.evidence_update(evidence=evidence, by=curator, finding="Second words.")
    client.force_login(UserFactory(username="other", is_staff=True, groups=["Curator"]))
    url = revert_url(evidence, evidence.history.earliest())

    opened = client.get(url)
    posted = client.post(url, form_data_of(evidence))

    assert (opened.status_code, posted.status_code) == (403, 403)
    assert Evidence.objects.get(pk=evidence.pk).finding == "Second words."


def form_data_of(evidence: Evidence) -> dict:
    """A revert form's POST, made by hand: a user who may not open it may send it."""
    return {
        "claim": evidence.claim_id,
        "publication": evidence.publication_id,
        "stance": "refutes",
        "effect": evidence.effect,
        "level": evidence.level,
        "rating": evidence.rating,
        "finding": "Reverted by someone who may not.",
    }


def test_a_curator_cannot_open_or_post_a_claims_revert_form(client, curator, editor):
    claim = ClaimFactory(statement="The first words.")
    claim = curation.claim_update(claim=claim, by=editor, statement="Later words.")
    url = revert_url(claim, claim.history.earliest())
    client.force_login(curator)
    body = {
        "topic": claim.topic_id,
        "slug": claim.slug,
        "statement": "The first words.",
        "setting": claim.setting,
        "kind": claim.kind,
        "position": 0,
    }

    opened = client.get(url)
    posted = client.post(url, body)

    assert (opened.status_code, posted.status_code) == (403, 403)
    assert Claim.objects.get(pk=claim.pk).statement == "Later words."
    history = client.get(reverse("admin:claims_claim_history", args=[claim.pk]))
    assert history.status_code == 200  # reading the history stays open


def test_a_claims_revert_restores_its_words_and_kind_and_recomputes_its_verdict(
    client, editor
):
    claim = ClaimFactory(kind=ClaimKind.EXISTENTIAL)
    EvidenceFactory(claim=claim, stance="supports")
    EvidenceFactory(claim=claim, stance="refutes")
    claims_recompute_status(claim_ids=[claim.pk])
    existential = claim.history.latest()  # "Supported": a "can" is not refuted
    assert existential.status == ClaimStatus.SUPPORTED
    claim = curation.claim_update(claim=claim, by=editor, kind=ClaimKind.EMPIRICAL)
    assert claim.status == ClaimStatus.CONTESTED
    client.force_login(editor)

    response = post_form(client, revert_url(claim, existential))

    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.kind, claim.status) == (ClaimKind.EXISTENTIAL, "supported")
    assert claims_drift() == []


def test_a_claims_revert_never_restores_a_stale_verdict(client, editor):
    claim = ClaimFactory()
    claims_recompute_status(claim_ids=[claim.pk])
    insufficient = claim.history.latest()
    EvidenceFactory(claim=claim)
    claims_recompute_status(claim_ids=[claim.pk])
    client.force_login(editor)

    response = post_form(client, revert_url(claim, insufficient))

    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.SUPPORTED
    assert claims_drift() == []


def test_a_papers_revert_restores_only_what_curators_own(client, curator):
    paper = PublicationFactory(pmid=111, curated_title="", review_note="First note")
    # As a refresh leaves it: PubMed's fields and the verification skip history.
    Publication.objects.filter(pk=paper.pk).update(
        pmid=222, title="PubMed's title", verification="mismatch", is_retracted=True
    )
    paper.refresh_from_db()
    curation.publication_update(publication=paper, by=curator, review_note="Second")
    client.force_login(curator)

    response = post_form(client, revert_url(paper, paper.history.earliest()))

    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.review_note == "First note"
    assert (paper.pmid, paper.title) == (222, "PubMed's title")
    assert (paper.verification, paper.is_retracted) == ("mismatch", True)


def test_who_may_not_change_a_paper_cannot_open_or_post_its_revert_form(client):
    paper = PublicationFactory(review_note="First")
    paper.review_note = "Second"
    paper.save()
    reader = UserFactory(username="reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_publication"))
    client.force_login(reader)
    url = revert_url(paper, paper.history.earliest())

    opened = client.get(url)
    posted = client.post(url, {"curated_title": "", "review_note": "First"})

    assert (opened.status_code, posted.status_code) == (403, 403)
    assert Publication.objects.get(pk=paper.pk).review_note == "Second"


def test_a_deleted_record_cannot_be_reverted(client, curator, editor):
    evidence = accepted(curator, editor)
    version = evidence.history.earliest()
    curation.evidence_delete(evidence=[evidence], by=editor)
    client.force_login(editor)

    response = client.post(revert_url(evidence, version), form_data_of(evidence))

    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_the_revert_form_says_the_workflow_stays_as_it_is(client, curator, editor):
    evidence = accepted(curator, editor)
    client.force_login(editor)

    page = client.get(revert_url(evidence, evidence.history.earliest()))

    messages = [str(m) for m in page.context["messages"]]
    assert any("workflow" in m for m in messages)


# -- change forms ------------------------------------------------------------------


def test_changing_a_claims_kind_in_the_admin_recomputes_its_verdict(client, editor):
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, stance="supports")
    EvidenceFactory(claim=claim, stance="refutes")
    claims_recompute_status(claim_ids=[claim.pk])
    client.force_login(editor)
    url = reverse("admin:claims_claim_change", args=[claim.pk])

    response = post_form(client, url, kind=ClaimKind.EXISTENTIAL)

    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.kind, claim.status) == (ClaimKind.EXISTENTIAL, "supported")
    assert claims_drift() == []


def test_a_claim_added_in_the_admin_stores_the_verdict_of_the_rules(client, editor):
    topic = TopicFactory()
    client.force_login(editor)

    page = client.get(reverse("admin:claims_claim_add"))
    response = client.post(
        reverse("admin:claims_claim_add"),
        form_data(page)
        | {
            "topic": topic.pk,
            "slug": "msc-home-to-tumors",
            "statement": "MSC home to tumors.",
            "setting": "primary_tumor",
            "kind": "empirical",
            "position": 1,
        },
    )

    assert response.status_code == 302
    assert Claim.objects.get(slug="msc-home-to-tumors").status_rule == "R1"
    assert claims_drift() == []


def test_moving_accepted_evidence_to_another_claim_recomputes_both(
    client, curator, editor
):
    evidence = accepted(curator, editor)
    before, after = evidence.claim, ClaimFactory()
    client.force_login(editor)
    url = reverse("admin:claims_evidence_change", args=[evidence.pk])

    response = post_form(client, url, claim=after.pk)

    assert response.status_code == 302
    before.refresh_from_db()
    after.refresh_from_db()
    assert (before.status, after.status) == ("insufficient", "supported")
    assert claims_drift() == []


def test_a_checked_title_changed_in_the_admin_is_held_against_pubmeds(
    client, curator, editor
):
    evidence = accepted(curator, editor)
    Publication.objects.filter(pk=evidence.publication_id).update(
        fetched_at="2026-11-28T00:00:00Z", title="Bone marrow MSC in breast cancer"
    )
    client.force_login(curator)
    url = reverse("admin:claims_publication_change", args=[evidence.publication_id])

    response = post_form(client, url, curated_title="Adipose MSC in glioma")

    assert response.status_code == 302
    paper = Publication.objects.get(pk=evidence.publication_id)
    assert paper.verification == Publication.Verification.MISMATCH
    assert Claim.objects.get(pk=evidence.claim_id).status == "insufficient"
    assert claims_drift() == []


def test_a_papers_pmid_cannot_be_changed_in_the_admin(client, curator):
    paper = PublicationFactory(pmid=111)
    client.force_login(curator)
    url = reverse("admin:claims_publication_change", args=[paper.pk])

    post_form(client, url, pmid=222, review_note="Checked")

    paper.refresh_from_db()
    assert (paper.pmid, paper.review_note) == (111, "Checked")

"""The curator workflow through the admin: roles, moderation, queues, history."""

import pytest
from django.urls import reverse

from claims import curation
from claims.models import Evidence, Publication, Term
from claims.status_rules import ClaimStatus
from tests.factories import ClaimFactory, PublicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, *groups, username=None):
    user = UserFactory(
        username=username or "-".join(groups), is_staff=True, groups=groups
    )
    client.force_login(user)
    return user


@pytest.fixture
def paper():
    return PublicationFactory(pmid=16214129, abstract="MSC enhanced tumor growth.")


def evidence_form(claim, paper, **overrides):
    data = {
        "claim": claim.pk,
        "publication": paper.pk,
        "stance": "supports",
        "effect": "pro_tumor",
        "level": "animal",
        "rating": 3,
        "finding": "Co-injected MSC enlarged the tumors.",
        "quote": "",
        "cancer_types": [],
        "msc_tumor_ratio": "",
        "change_reason": "",
    }
    return data | overrides


def add_evidence(client, claim, paper, **overrides):
    return client.post(
        reverse("admin:claims_evidence_add"), evidence_form(claim, paper, **overrides)
    )


def moderate(client, evidence, transition, reason=""):
    url = reverse("admin:claims_evidence_moderate", args=[evidence.pk, transition])
    return client.post(url, {"reason": reason})


def test_a_curator_adds_evidence_as_their_own_draft(client, paper):
    curator = login(client, curation.CURATOR_GROUP)

    response = add_evidence(client, ClaimFactory(), paper)

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.status, evidence.created_by) == ("draft", curator)


def test_the_form_warns_when_the_quote_is_not_in_the_abstract(client, paper):
    login(client, curation.CURATOR_GROUP)

    response = add_evidence(client, ClaimFactory(), paper, quote="reduced tumor growth")

    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("quote was not found" in m for m in messages)


def test_the_form_warns_about_the_same_claim_paper_and_stance(client, paper):
    login(client, curation.CURATOR_GROUP)
    claim = ClaimFactory()
    add_evidence(client, claim, paper)

    response = add_evidence(client, claim, paper, level="in_vitro")

    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already recorded" in m for m in messages)
    assert Evidence.objects.count() == 2


def test_the_quote_check_shows_on_the_change_form(client, paper):
    login(client, curation.CURATOR_GROUP)
    add_evidence(client, ClaimFactory(), paper, quote="enhanced TUMOR growth")
    evidence = Evidence.objects.get()

    page = client.get(reverse("admin:claims_evidence_change", args=[evidence.pk]))

    assert b"Verified: found in the abstract" in page.content


def test_every_choice_is_defined_on_the_form(client):
    login(client, curation.CURATOR_GROUP)

    page = client.get(reverse("admin:claims_evidence_add")).content.decode()

    for text in ("Co-injection: MSC mixed", "Immunodeficient: nude", "Qualifies:"):
        assert text in page


def test_a_curator_submits_but_cannot_accept(client, paper):
    login(client, curation.CURATOR_GROUP)
    add_evidence(client, ClaimFactory(), paper)
    evidence = Evidence.objects.get()

    moderate(client, evidence, "submit")
    moderate(client, evidence, "accept")

    evidence.refresh_from_db()
    assert evidence.status == "submitted"
    assert evidence.reviewed_by is None


def test_an_editor_accepts_from_the_queue_and_the_claim_status_follows(client, paper):
    curator = UserFactory(username="c", groups=[curation.CURATOR_GROUP])
    claim = ClaimFactory()
    evidence = curation.evidence_create(
        by=curator,
        claim=claim,
        publication=paper,
        stance="supports",
        effect="pro_tumor",
        level="animal",
        finding="x",
    )
    curation.evidence_submit(evidence=evidence, by=curator)
    editor = login(client, curation.EDITOR_GROUP)

    queue = client.get(
        reverse("admin:claims_evidence_changelist"), {"queue": "awaiting"}
    )
    moderate(client, evidence, "accept", reason="Good design")

    assert queue.context["cl"].result_count == 1
    evidence.refresh_from_db()
    claim.refresh_from_db()
    assert (evidence.status, evidence.reviewed_by) == ("accepted", editor)
    assert claim.status == ClaimStatus.SUPPORTED


def test_rejecting_without_a_reason_is_refused(client, paper):
    curator = UserFactory(username="c", groups=[curation.CURATOR_GROUP])
    evidence = curation.evidence_create(
        by=curator,
        claim=ClaimFactory(),
        publication=paper,
        stance="supports",
        effect="pro_tumor",
        level="animal",
        finding="x",
    )
    curation.evidence_submit(evidence=evidence, by=curator)
    login(client, curation.EDITOR_GROUP)

    moderate(client, evidence, "reject", reason="")
    evidence.refresh_from_db()
    assert evidence.status == "submitted"

    moderate(client, evidence, "reject", reason="Wrong paper")
    evidence.refresh_from_db()
    assert (evidence.status, evidence.review_reason) == ("rejected", "Wrong paper")


def test_a_curator_cannot_edit_another_curators_draft(client, paper):
    owner = UserFactory(username="owner", groups=[curation.CURATOR_GROUP])
    evidence = curation.evidence_create(
        by=owner,
        claim=ClaimFactory(),
        publication=paper,
        stance="supports",
        effect="pro_tumor",
        level="animal",
        finding="Original.",
    )
    login(client, curation.CURATOR_GROUP, username="intruder")
    url = reverse("admin:claims_evidence_change", args=[evidence.pk])

    client.post(url, evidence_form(evidence.claim, paper, finding="Changed."))

    assert Evidence.objects.get(pk=evidence.pk).finding == "Original."


def test_history_shows_who_changed_what_and_why(client, paper):
    editor = login(client, curation.EDITOR_GROUP)
    add_evidence(client, ClaimFactory(), paper)
    evidence = Evidence.objects.get()
    url = reverse("admin:claims_evidence_change", args=[evidence.pk])
    client.post(
        url, evidence_form(evidence.claim, paper, rating=5, change_reason="Re-rated")
    )

    history = client.get(reverse("admin:claims_evidence_history", args=[evidence.pk]))

    latest = evidence.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Re-rated")
    assert b"Re-rated" in history.content
    assert b"rating" in history.content.lower()


def test_revert_restores_the_old_values(client, paper):
    login(client, curation.EDITOR_GROUP)
    add_evidence(client, ClaimFactory(), paper)
    evidence = Evidence.objects.get()
    first = evidence.history.earliest()
    url = reverse("admin:claims_evidence_change", args=[evidence.pk])
    client.post(url, evidence_form(evidence.claim, paper, finding="Second words."))
    revert_url = reverse(
        "admin:claims_evidence_simple_history", args=[evidence.pk, first.history_id]
    )

    client.post(revert_url, evidence_form(evidence.claim, paper))

    assert Evidence.objects.get(pk=evidence.pk).finding == (
        "Co-injected MSC enlarged the tumors."
    )


def test_pasted_pmids_with_junk_keep_the_good_ones(client):
    login(client, curation.CURATOR_GROUP)

    response = client.post(
        reverse("admin:claims_publication_paste"),
        {"pmids": "16214129, abc\n17914389;0  -5 16214129"},
        follow=True,
    )

    assert set(Publication.objects.values_list("pmid", flat=True)) == {
        16214129,
        17914389,
    }
    page = response.content.decode()
    assert "Not PMIDs, skipped: abc, 0, -5" in page


def test_papers_added_but_not_yet_curated_have_a_queue(client, paper):
    PublicationFactory(pmid=17914389)
    login(client, curation.EDITOR_GROUP)
    add_evidence(client, ClaimFactory(), paper)

    queue = client.get(
        reverse("admin:claims_publication_changelist"), {"curation": "uncurated"}
    )

    assert [p.pmid for p in queue.context["cl"].result_list] == [17914389]


def test_evidence_on_a_changed_paper_has_a_rereview_queue(client, paper):
    login(client, curation.EDITOR_GROUP)
    add_evidence(client, ClaimFactory(), paper)
    Evidence.objects.update(needs_rereview=True, rereview_reason="Integrity: retracted")

    queue = client.get(
        reverse("admin:claims_evidence_changelist"), {"queue": "rereview"}
    )

    assert queue.context["cl"].result_count == 1


def test_pubmed_fields_cannot_be_edited_in_the_admin(client, paper):
    login(client, curation.EDITOR_GROUP)
    url = reverse("admin:claims_publication_change", args=[paper.pk])

    client.post(
        url,
        {
            "pmid": paper.pmid,
            "title": "Overwritten",
            "curated_title": "Checked title",
            "verification": "verified",
            "review_note": "",
        },
    )

    paper.refresh_from_db()
    assert paper.curated_title == "Checked title"
    assert paper.title != "Overwritten"
    assert paper.history.latest().curated_title == "Checked title"


def supported_claim(papers: int = 2):
    """A claim Supported by accepted primary papers."""
    from claims.services import claims_recompute_status
    from tests.factories import EvidenceFactory

    claim = ClaimFactory()
    records = [EvidenceFactory(claim=claim) for _ in range(papers)]
    claims_recompute_status(claim_ids=[claim.pk])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUPPORTED
    return claim, records


def test_an_editor_deleting_evidence_recomputes_the_claim_status(client):
    login(client, curation.EDITOR_GROUP)
    claim, records = supported_claim(papers=1)

    response = client.post(
        reverse("admin:claims_evidence_delete", args=[records[0].pk]), {"post": "yes"}
    )

    claim.refresh_from_db()
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=records[0].pk).exists()
    assert claim.status == ClaimStatus.INSUFFICIENT


def test_deleting_evidence_in_bulk_recomputes_the_claim_status(client):
    login(client, curation.EDITOR_GROUP)
    claim, records = supported_claim()

    response = client.post(
        reverse("admin:claims_evidence_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [r.pk for r in records],
            "post": "yes",
        },
    )

    claim.refresh_from_db()
    assert response.status_code == 302
    assert claim.evidence.count() == 0
    assert claim.status == ClaimStatus.INSUFFICIENT


def test_a_curator_cannot_delete_evidence(client):
    login(client, curation.CURATOR_GROUP)
    claim, records = supported_claim()

    response = client.post(
        reverse("admin:claims_evidence_delete", args=[records[0].pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert claim.evidence.count() == 2


def test_the_admin_says_why_an_editor_cannot_accept_their_own_evidence(client, paper):
    editor = login(client, curation.EDITOR_GROUP)
    add_evidence(client, ClaimFactory(), paper)
    evidence = Evidence.objects.get()
    moderate(client, evidence, "submit")

    response = moderate(client, evidence, "accept")

    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Four eyes" in m and "another editor" in m for m in messages)
    evidence.refresh_from_db()
    assert (evidence.status, evidence.created_by) == ("submitted", editor)


def test_the_evidence_list_and_form_show_who_created_submitted_and_reviewed(
    client, paper
):
    curator = UserFactory(username="carla", groups=[curation.CURATOR_GROUP])
    reviewer = UserFactory(username="edgar", groups=[curation.EDITOR_GROUP])
    evidence = curation.evidence_create(
        by=curator,
        claim=ClaimFactory(),
        publication=paper,
        stance="supports",
        effect="pro_tumor",
        level="animal",
        finding="x",
    )
    curation.evidence_submit(evidence=evidence, by=curator)
    curation.evidence_accept(evidence=evidence, by=reviewer)
    login(client, curation.EDITOR_GROUP)

    listed = client.get(reverse("admin:claims_evidence_changelist"))
    form = client.get(reverse("admin:claims_evidence_change", args=[evidence.pk]))

    row = listed.content.decode().split('class="action-checkbox"')[1]
    assert "created, submitted, reviewed by" in listed.content.decode().lower()
    assert "carla / carla / edgar" in row
    assert b"carla" in form.content
    assert b"edgar" in form.content


# -- cancer types: picked from the vocabulary ------------------------------------


def term(slug: str) -> Term:
    return Term.objects.get(vocabulary=Term.Vocabulary.CANCER_TYPE, slug=slug)


def autocomplete(client, words: str):
    return client.get(
        reverse("admin:autocomplete"),
        {
            "term": words,
            "app_label": "claims",
            "model_name": "evidence",
            "field_name": "cancer_types",
        },
    )


def test_a_curator_picks_cancer_types_by_autocomplete_from_that_vocabulary(client):
    login(client, curation.CURATOR_GROUP)

    found = autocomplete(client, "mel").json()["results"]
    by_id = autocomplete(client, "NCIT:C3224").json()["results"]
    other = autocomplete(client, "human").json()["results"]

    assert [r["text"] for r in found] == ["melanoma (NCIT:C3224)"]
    assert [r["id"] for r in by_id] == [str(term("melanoma").pk)]
    assert other == []  # a species term is no cancer type
    page = client.get(reverse("admin:claims_evidence_add")).content.decode()
    select = page[page.index('<select name="cancer_types"') :].split(">", 1)[0]
    assert 'class="admin-autocomplete' in select
    assert "multiple" in select


def test_evidence_added_with_cancer_types_is_one_version_holding_them(client, paper):
    login(client, curation.CURATOR_GROUP)
    picked = [term("melanoma").pk, term("glioma").pk]

    response = add_evidence(client, ClaimFactory(), paper, cancer_types=picked)

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.facet_value("cancer_type") == ("glioma", "melanoma")
    assert evidence.history.count() == 1
    assert evidence.history.get().cancer_types.count() == 2


def test_a_term_of_another_vocabulary_is_refused_by_the_form(client, paper):
    login(client, curation.CURATOR_GROUP)
    human = Term.objects.get(vocabulary="species", slug="human")

    response = add_evidence(client, ClaimFactory(), paper, cancer_types=[human.pk])

    assert response.status_code == 200  # the form again, with the error
    assert not Evidence.objects.exists()


def test_changing_an_accepted_records_cancer_types_recomputes_the_claim(
    client, paper, monkeypatch
):
    login(client, curation.EDITOR_GROUP)
    add_evidence(client, ClaimFactory(), paper, cancer_types=[term("melanoma").pk])
    evidence = Evidence.objects.get()
    Evidence.objects.filter(pk=evidence.pk).update(status="accepted")
    recomputed = []
    monkeypatch.setattr(
        curation, "claims_recompute_status", lambda claim_ids: recomputed.append(1)
    )
    url = reverse("admin:claims_evidence_change", args=[evidence.pk])

    client.post(url, evidence_form(evidence.claim, paper, cancer_types=[]))

    assert evidence.facet_value("cancer_type") == ()
    assert recomputed
    assert evidence.history.count() == 2


def test_revert_restores_the_versions_cancer_types(client, paper):
    login(client, curation.EDITOR_GROUP)
    add_evidence(client, ClaimFactory(), paper, cancer_types=[term("melanoma").pk])
    evidence = Evidence.objects.get()
    first = evidence.history.earliest()
    url = reverse("admin:claims_evidence_change", args=[evidence.pk])
    client.post(url, evidence_form(evidence.claim, paper, cancer_types=[]))
    revert_url = reverse(
        "admin:claims_evidence_simple_history", args=[evidence.pk, first.history_id]
    )

    form = client.get(revert_url).context["adminform"].form
    melanoma = [term("melanoma").pk]
    client.post(revert_url, evidence_form(evidence.claim, paper, cancer_types=melanoma))

    assert form.initial["cancer_types"] == melanoma
    assert evidence.facet_value("cancer_type") == ("melanoma",)
    assert evidence.history.count() == 3


def test_the_vocabulary_is_read_only_in_the_admin(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    melanoma = term("melanoma")

    listing = client.get(reverse("admin:claims_term_changelist"), {"q": "C3224"})
    change = client.post(
        reverse("admin:claims_term_change", args=[melanoma.pk]), {"label": "x"}
    )

    assert listing.status_code == 200
    assert "melanoma" in listing.content.decode()
    assert client.get(reverse("admin:claims_term_add")).status_code == 403
    assert change.status_code == 403
    melanoma.refresh_from_db()
    assert melanoma.label == "melanoma"

import pytest
from rest_framework.test import APIClient

from claims import curation
from claims.models import Evidence, Publication, RefreshRun
from claims.status_rules import ClaimStatus
from tests.api.conftest import client_for
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    return ClaimFactory(slug="msc-promote-growth")


@pytest.fixture
def paper():
    return PublicationFactory(pmid=16214129, abstract="MSC enlarged the tumors.")


def payload(**overrides) -> dict:
    return {
        "claim": "msc-promote-growth",
        "publication": 16214129,
        "stance": "supports",
        "effect": "pro_tumor",
        "level": "animal",
        "delivery": "co_injection",
        "finding": "Co-injected MSC enlarged the tumors.",
        "quote": "MSC enlarged the tumors.",
        "rating": 4,
        **overrides,
    }


def draft_of(user, claim, paper, **fields) -> Evidence:
    fields = {**payload(claim=claim, publication=paper), **fields}
    return curation.evidence_create(by=user, **fields)


# -- who may write ----------------------------------------------------------------

WRITES = [
    ("post", "/api/v1/publications/", "add"),
    ("post", "/api/v1/evidence/", "add"),
    ("patch", "/api/v1/evidence/{id}/", "edit"),
    ("post", "/api/v1/evidence/{id}/submit/", "edit"),
    ("post", "/api/v1/evidence/{id}/accept/", "moderate"),
    ("post", "/api/v1/evidence/{id}/reject/", "moderate"),
]


@pytest.fixture
def target(claim, paper, curator):
    """Evidence every write above could act on: the curator's submitted draft."""
    evidence = draft_of(curator, claim, paper)
    return curation.evidence_submit(evidence=evidence, by=curator)


@pytest.mark.parametrize(("method", "url", "_"), WRITES)
def test_every_write_needs_credentials(api, target, method, url, _):
    response = getattr(api, method)(url.format(id=target.pk), {}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api", Token realm="api"'


@pytest.mark.parametrize(("method", "url", "_"), WRITES)
def test_every_write_needs_a_curation_role(as_reader, target, method, url, _):
    response = getattr(as_reader, method)(url.format(id=target.pk), {}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("method", "url"), [(m, u) for m, u, need in WRITES if need == "moderate"]
)
def test_a_curator_may_not_accept_or_reject(as_curator, target, method, url):
    response = getattr(as_curator, method)(
        url.format(id=target.pk), {"reason": "Looks fine"}, format="json"
    )

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.status == Evidence.Status.SUBMITTED


def test_an_invalid_token_is_a_401_even_for_reads():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get("/api/v1/claims/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/claims/"),
        ("post", "/api/v1/topics/"),
        ("post", "/api/v1/reviews/"),
        ("post", "/api/v1/info"),
        ("put", "/api/v1/evidence/{id}/"),
        ("delete", "/api/v1/evidence/{id}/"),
        ("patch", "/api/v1/publications/16214129/"),
        ("delete", "/api/v1/publications/16214129/"),
    ],
)
def test_methods_an_endpoint_lacks_are_a_405_to_anyone(
    api, as_editor, target, method, url
):
    url = url.format(id=target.pk)

    anonymous = getattr(api, method)(url, {}, format="json")
    editor = getattr(as_editor, method)(url, {}, format="json")

    assert anonymous.status_code == 405
    assert editor.status_code == 405
    assert editor.json()["error"]["code"] == "method_not_allowed"


def test_a_session_write_needs_the_csrf_token(curator, claim, paper):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(curator)

    without = client.post("/api/v1/evidence/", payload(), format="json")
    token = "a" * 32
    client.cookies["csrftoken"] = token
    with_token = client.post(
        "/api/v1/evidence/", payload(), format="json", HTTP_X_CSRFTOKEN=token
    )

    assert without.status_code == 403
    assert "CSRF" in without.json()["error"]["message"]
    assert with_token.status_code == 201


# -- adding publications ----------------------------------------------------------


def test_a_curator_adds_a_paper_by_pmid_and_its_fetch_is_queued(
    as_curator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = as_curator.post(
            "/api/v1/publications/", {"pmid": 17914389}, format="json"
        )

    assert response.status_code == 201
    assert response["Location"].endswith("/api/v1/publications/17914389/")
    assert response.json()["metadata_state"] == Publication.MetadataState.PENDING
    run = RefreshRun.objects.get()
    assert (run.trigger, run.requested) == (RefreshRun.Trigger.API, 1)
    assert len(callbacks) == 1  # the fetch, enqueued once the row is committed


def test_adding_a_paper_already_here_is_a_200_and_fetches_nothing(as_curator, paper):
    response = as_curator.post("/api/v1/publications/", {"pmid": "16214129"})

    assert response.status_code == 200
    assert response.json()["pmid"] == 16214129
    assert not RefreshRun.objects.exists()


@pytest.mark.parametrize("pmid", ["abc", 0, -3, 2**31, 1.5, None, ""])
def test_adding_a_paper_by_an_invalid_pmid_is_a_400(as_curator, pmid):
    response = as_curator.post("/api/v1/publications/", {"pmid": pmid}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["pmid"]
    assert not Publication.objects.exists()


def test_adding_a_paper_without_a_pmid_is_a_400(as_curator):
    response = as_curator.post("/api/v1/publications/", {}, format="json")

    assert response.json()["error"]["fields"] == {"pmid": ["This field is required."]}


# -- recording and moderating evidence -------------------------------------------


def test_a_curator_records_evidence_as_their_draft(as_curator, curator, claim, paper):
    response = as_curator.post("/api/v1/evidence/", payload(), format="json")

    assert response.status_code == 201
    body = response.json()
    evidence = Evidence.objects.get(pk=body["id"])
    assert (evidence.status, evidence.created_by) == (Evidence.Status.DRAFT, curator)
    assert body["publication"]["pmid"] == 16214129
    assert response["Location"].endswith(f"/api/v1/evidence/{evidence.pk}/")
    assert evidence.history.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stance": "agrees"}, "stance"),
        ({"claim": "no-such-claim"}, "claim"),
        ({"publication": 999}, "publication"),
        ({"rating": 7}, "rating"),
        ({"finding": ""}, "finding"),
        ({"status": "accepted"}, "status"),
        ({"created_by": 1}, "created_by"),
    ],
)
def test_invalid_evidence_is_a_400_naming_the_field(
    as_curator, claim, paper, change, field
):
    response = as_curator.post("/api/v1/evidence/", payload(**change), format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not Evidence.objects.exists()


def test_duplicate_evidence_is_refused_by_the_curation_rules(as_curator, claim, paper):
    as_curator.post("/api/v1/evidence/", payload(), format="json")

    response = as_curator.post("/api/v1/evidence/", payload(), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "The same evidence is already recorded for this claim and paper; a finding "
        "made in several cancer types is one record listing them all."
    )
    assert Evidence.objects.count() == 1


def test_evidence_differing_only_in_cancer_types_is_a_duplicate(
    as_curator, claim, paper
):
    as_curator.post(
        "/api/v1/evidence/", payload(cancer_types=["melanoma"]), format="json"
    )

    response = as_curator.post(
        "/api/v1/evidence/", payload(cancer_types=["glioma"]), format="json"
    )

    assert response.status_code == 400
    assert Evidence.objects.get().facet_value("cancer_type") == ("melanoma",)


def test_a_curator_records_evidence_with_cancer_types_in_one_version(
    as_curator, claim, paper
):
    response = as_curator.post(
        "/api/v1/evidence/",
        payload(cancer_types=["melanoma", "Breast-Carcinoma"]),
        format="json",
    )

    assert response.status_code == 400  # a slug is written as it is
    response = as_curator.post(
        "/api/v1/evidence/",
        payload(cancer_types=["melanoma", "breast-carcinoma"]),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert [t["slug"] for t in response.json()["cancer_types"]] == [
        "breast-carcinoma",
        "melanoma",
    ]
    evidence = Evidence.objects.get()
    assert evidence.history.count() == 1
    version = evidence.history.get()
    assert sorted(link.term.slug for link in version.cancer_types.all()) == [
        "breast-carcinoma",
        "melanoma",
    ]


def test_an_unknown_cancer_type_is_refused_naming_the_field(as_curator, claim, paper):
    response = as_curator.post(
        "/api/v1/evidence/", payload(cancer_types=["no-such-tumor"]), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["cancer_types"]


def test_a_curator_edits_their_own_draft(as_curator, curator, claim, paper):
    evidence = draft_of(curator, claim, paper)

    response = as_curator.patch(
        f"/api/v1/evidence/{evidence.pk}/", {"rating": 2}, format="json"
    )

    assert response.status_code == 200
    evidence.refresh_from_db()
    assert evidence.rating == 2
    assert evidence.history.first().history_change_reason == "Edited"


def test_a_curator_cannot_see_or_edit_another_curators_draft(
    other_curator, claim, paper, as_curator
):
    evidence = draft_of(other_curator, claim, paper)

    response = as_curator.patch(
        f"/api/v1/evidence/{evidence.pk}/", {"rating": 1}, format="json"
    )

    assert response.status_code == 404
    evidence.refresh_from_db()
    assert evidence.rating == 4


def test_a_curator_cannot_edit_their_draft_once_submitted(as_curator, target):
    response = as_curator.patch(
        f"/api/v1/evidence/{target.pk}/", {"rating": 1}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "You may edit only your own drafts."


def test_an_editor_edits_accepted_evidence_and_the_claim_status_follows(
    as_editor, claim
):
    evidence = EvidenceFactory(claim=claim, stance="supports")
    curation.claims_recompute_status(claim_ids=[claim.pk])

    response = as_editor.patch(
        f"/api/v1/evidence/{evidence.pk}/", {"stance": "refutes"}, format="json"
    )

    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REFUTED


def test_draft_submit_accept_moves_evidence_into_the_claims_status(
    as_curator, as_editor, claim, paper
):
    created = as_curator.post("/api/v1/evidence/", payload(), format="json").json()
    url = f"/api/v1/evidence/{created['id']}"

    submitted = as_curator.post(f"{url}/submit/")
    accepted = as_editor.post(f"{url}/accept/", {"reason": "Checked"}, format="json")

    assert submitted.json()["status"] == Evidence.Status.SUBMITTED
    assert accepted.status_code == 200
    assert accepted.json()["status"] == Evidence.Status.ACCEPTED
    assert accepted.json()["review_reason"] == "Checked"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUPPORTED


def test_accepting_a_draft_is_a_400_from_the_workflow(as_editor, curator, claim, paper):
    evidence = draft_of(curator, claim, paper)

    response = as_editor.post(f"/api/v1/evidence/{evidence.pk}/accept/")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Evidence that is draft cannot become accepted."
    )


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_rejecting_needs_a_reason(as_editor, target, body):
    response = as_editor.post(
        f"/api/v1/evidence/{target.pk}/reject/", body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reason"]
    target.refresh_from_db()
    assert target.status == Evidence.Status.SUBMITTED


def test_an_editor_rejects_with_a_reason(as_editor, target, editor):
    response = as_editor.post(
        f"/api/v1/evidence/{target.pk}/reject/",
        {"reason": "Wrong paper"},
        format="json",
    )

    assert response.status_code == 200
    target.refresh_from_db()
    assert (target.status, target.review_reason) == ("rejected", "Wrong paper")
    assert target.reviewed_by == editor


def test_a_curator_cannot_submit_someone_elses_evidence(
    other_curator, claim, paper, editor
):
    evidence = draft_of(editor, claim, paper)
    client = client_for(other_curator)

    response = client.post(f"/api/v1/evidence/{evidence.pk}/submit/")

    assert response.status_code == 404
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.DRAFT


# -- malformed bodies --------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/publications/", "/api/v1/evidence/", "/api/v1/evidence/{id}/"]
)
def test_a_malformed_json_body_is_a_400_naming_the_body(as_editor, target, url):
    method = as_editor.patch if "{id}" in url else as_editor.post

    response = method(
        url.format(id=target.pk), '{"pmid": ', content_type="application/json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert "JSON parse error" in error["fields"]["body"][0]


def test_a_body_that_is_not_an_object_is_a_400(as_curator):
    response = as_curator.post("/api/v1/publications/", [1, 2], format="json")

    assert response.status_code == 400
    assert "Expected a dictionary" in response.json()["error"]["message"]


def test_a_body_that_is_not_json_is_a_415(as_curator):
    response = as_curator.post(
        "/api/v1/publications/", "pmid=1", content_type="text/plain"
    )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_an_editor_accepting_evidence_they_recorded_is_a_403_naming_four_eyes(
    as_editor, editor, claim, paper
):
    evidence = curation.evidence_submit(
        evidence=draft_of(editor, claim, paper), by=editor
    )

    response = as_editor.post(f"/api/v1/evidence/{evidence.pk}/accept/")

    assert response.status_code == 403
    assert "Four eyes" in response.json()["error"]["message"]
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.SUBMITTED


def test_pointing_accepted_evidence_at_an_unconfirmed_paper_stops_it_counting(
    as_editor, claim
):
    evidence = EvidenceFactory(claim=claim)
    curation.claims_recompute_status(claim_ids=[claim.pk])
    PublicationFactory(pmid=17914389, metadata_state="pending")

    response = as_editor.patch(
        f"/api/v1/evidence/{evidence.pk}/", {"publication": 17914389}, format="json"
    )

    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.INSUFFICIENT
    assert claim.left_out == {"not_fetched": 1}

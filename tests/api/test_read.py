import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from claims.models import Claim, Evidence, Term
from claims.services import claims_recompute_status
from claims.status_rules import RULES_VERSION, ClaimStatus
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    ReviewFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def contested_claim():
    """Two supporting and one refuting accepted paper, plus a draft."""
    claim = ClaimFactory(slug="msc-promote-growth")
    EvidenceFactory.create_batch(2, claim=claim)
    EvidenceFactory(
        claim=claim, stance=Evidence.Stance.REFUTES, effect=Evidence.Effect.ANTI_TUMOR
    )
    EvidenceFactory(claim=claim, status=Evidence.Status.DRAFT, finding="Unreviewed.")
    claims_recompute_status(claim_ids=[claim.pk])
    claim.refresh_from_db()
    return claim


def test_the_claim_list_shows_status_reason_rules_version_and_evidence_counts(
    api, contested_claim
):
    (claim,) = api.get("/api/v1/claims/").json()["results"]

    assert claim["slug"] == "msc-promote-growth"
    assert claim["status"] == ClaimStatus.CONTESTED
    assert claim["status_reason"] == contested_claim.status_reason
    assert claim["status_rules_version"] == RULES_VERSION
    assert claim["evidence_counts"] == {
        "total": 3,
        "by_stance": {"supports": 2, "refutes": 1, "qualifies": 0},
        "by_effect": {
            "pro_tumor": 2,
            "anti_tumor": 1,
            "no_effect": 0,
            "mixed": 0,
            "not_assessed": 0,
        },
    }


def test_a_claim_gives_the_strength_of_its_evidence_in_papers(api, contested_claim):
    listed = api.get("/api/v1/claims/").json()["results"][0]
    detail = api.get(f"/api/v1/claims/{contested_claim.slug}/").json()

    for claim in (listed, detail):
        assert claim["kind"] == "empirical"
        assert claim["status_rule"] == "R4"
        assert claim["strength"] == {
            "papers": 3,
            "supporting": 2,
            "refuting": 1,
            "qualifying": 0,
            "in_vivo": 3,
            "human": 0,
            "mean_rating": 3.0,
            "thin": False,
            "left_out": {},
        }


def test_a_claim_says_which_records_it_left_out_and_why(api, contested_claim):
    EvidenceFactory(
        claim=contested_claim, publication__metadata_state="pending", rating=4
    )
    EvidenceFactory(claim=contested_claim, rating=1)
    claims_recompute_status(claim_ids=[contested_claim.pk])

    claim = api.get(f"/api/v1/claims/{contested_claim.slug}/").json()

    assert claim["strength"]["left_out"] == {"low_rating": 1, "not_fetched": 1}
    assert claim["strength"]["papers"] == 3
    assert "2 records not counted" in claim["status_reason"]


def test_a_claim_detail_nests_its_accepted_evidence_with_their_publications(
    api, contested_claim
):
    body = api.get("/api/v1/claims/msc-promote-growth/").json()

    assert len(body["evidence"]) == 3
    assert "Unreviewed." not in [e["finding"] for e in body["evidence"]]
    pmids = {e.publication.pmid for e in contested_claim.evidence.accepted()}
    assert {e["publication"]["pmid"] for e in body["evidence"]} == pmids
    assert body["topic"] == contested_claim.topic.slug
    assert body["topic_name"] == contested_claim.topic.name


def test_claims_are_listed_in_the_reviews_order(api):
    late, early = TopicFactory(position=2), TopicFactory(position=1)
    ClaimFactory(topic=late, slug="a-late-claim")
    ClaimFactory(topic=early, slug="z-early-claim", position=5)
    ClaimFactory(topic=early, slug="y-early-claim", position=1)

    slugs = [c["slug"] for c in api.get("/api/v1/claims/").json()["results"]]

    assert slugs == ["y-early-claim", "z-early-claim", "a-late-claim"]


def test_reviews_and_topics_are_listed_and_looked_up_by_slug(api):
    review = ReviewFactory(slug="bergfeld-2010", publication__pmid=20411303)
    topic = TopicFactory(review=review, slug="homing", name="Homing")
    ClaimFactory.create_batch(2, topic=topic)

    (listed,) = api.get("/api/v1/reviews/").json()["results"]
    detail = api.get("/api/v1/reviews/bergfeld-2010/").json()
    topic_body = api.get("/api/v1/topics/homing/").json()

    assert listed["publication"]["pmid"] == 20411303
    assert detail["topic_count"] == 1
    assert topic_body["claim_count"] == 2
    assert topic_body["review"] == "bergfeld-2010"


def test_anonymous_readers_see_only_accepted_evidence(api):
    accepted = EvidenceFactory()
    EvidenceFactory(status=Evidence.Status.DRAFT)
    EvidenceFactory(status=Evidence.Status.SUBMITTED)

    ids = [e["id"] for e in api.get("/api/v1/evidence/").json()["results"]]

    assert ids == [accepted.pk]
    assert api.get(f"/api/v1/evidence/{accepted.pk}/").status_code == 200


def test_a_curator_also_sees_their_own_drafts_and_an_editor_sees_everything(
    as_curator, as_editor, curator
):
    accepted = EvidenceFactory()
    own = EvidenceFactory(status=Evidence.Status.DRAFT, created_by=curator)
    others = EvidenceFactory(status=Evidence.Status.SUBMITTED)

    def ids(client):
        return {e["id"] for e in client.get("/api/v1/evidence/").json()["results"]}

    assert ids(as_curator) == {accepted.pk, own.pk}
    assert ids(as_editor) == {accepted.pk, own.pk, others.pk}
    assert as_curator.get(f"/api/v1/evidence/{others.pk}/").status_code == 404


def test_a_publication_is_looked_up_by_its_pmid(api):
    PublicationFactory(
        pmid=16214129,
        title="Mesenchymal stem cells in tumor stroma",
        authors=[{"last_name": "Karnoub", "fore_name": "Antoine E", "initials": "AE"}],
    )

    body = api.get("/api/v1/publications/16214129/").json()

    assert body["pmid"] == 16214129
    assert body["pubmed_url"] == "https://pubmed.ncbi.nlm.nih.gov/16214129/"
    assert body["authors"] == [
        {
            "last_name": "Karnoub",
            "fore_name": "Antoine E",
            "initials": "AE",
            "suffix": "",
            "collective_name": "",
            "orcid": "",
        }
    ]
    assert (body["issn"], body["language"], body["is_book"]) == ("", "", False)


@pytest.mark.parametrize("pmid", ["abc", "0", "-5", "2147483648", "1e5"])
def test_a_pmid_that_is_not_one_is_a_400_naming_the_pmid(api, pmid):
    response = api.get(f"/api/v1/publications/{pmid}/")

    assert response.status_code == 400
    assert "pmid" in response.json()["error"]["fields"]


def test_an_unknown_pmid_is_a_404(api):
    response = api.get("/api/v1/publications/12345/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_info_gives_the_data_version_rules_version_and_counts(api, contested_claim):
    body = api.get("/api/v1/info").json()

    last_change = max(
        r.updated_at for r in [*Evidence.objects.all(), *Claim.objects.all()]
    )
    assert body["data_version"] == last_change.isoformat().replace("+00:00", "Z")
    assert body["rules_version"] == RULES_VERSION
    assert body["counts"] == {
        "reviews": 1,
        "topics": 1,
        "claims": 1,
        "evidence": 3,
        "publications": 5,
        "terms": Term.objects.count(),
    }
    assert body["claims_by_status"][ClaimStatus.CONTESTED] == 1
    assert body["claims_by_status"][ClaimStatus.ESTABLISHED] == 0


def test_the_data_version_moves_when_a_term_changes(api):
    before = api.get("/api/v1/info")
    melanoma = Term.objects.get(vocabulary="cancer_type", slug="melanoma")
    melanoma.label = "cutaneous melanoma"
    melanoma.save()

    after = api.get("/api/v1/info", HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after.json()["data_version"] > before.json()["data_version"]


def test_the_data_version_moves_when_anything_changes(api, contested_claim):
    before = api.get("/api/v1/info").json()["data_version"]
    topic = contested_claim.topic
    topic.name = "Renamed"
    topic.save()

    after = api.get("/api/v1/info").json()["data_version"]

    assert after > before
    assert after == topic.updated_at.isoformat().replace("+00:00", "Z")


def test_info_on_a_database_holding_only_the_vocabulary_dates_it_by_the_terms(api):
    body = api.get("/api/v1/info").json()

    last_change = max(t.updated_at for t in Term.objects.all())
    assert body["data_version"] == last_change.isoformat().replace("+00:00", "Z")
    assert body["counts"]["claims"] == 0
    assert body["counts"]["terms"] == Term.objects.count() > 0


def test_page_size_is_honoured_and_capped_at_500(api):
    PublicationFactory.create_batch(3)

    two = api.get("/api/v1/publications/?page_size=2").json()
    huge = api.get("/api/v1/publications/?page_size=100000").json()

    assert len(two["results"]) == 2
    assert two["count"] == 3
    assert two["next"].endswith("page=2&page_size=2")
    assert len(huge["results"]) == 3


@pytest.mark.parametrize("params", ["page=abc", "page=0", "page_size=0", "page_size=x"])
def test_a_malformed_page_or_page_size_is_a_400_naming_it(api, params):
    response = api.get(f"/api/v1/claims/?{params}")

    assert response.status_code == 400
    assert params.split("=")[0] in response.json()["error"]["fields"]


def test_a_page_past_the_end_is_a_404(api):
    ClaimFactory()

    assert api.get("/api/v1/claims/?page=2").status_code == 404
    assert api.get("/api/v1/claims/?page=last").status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_url_under_the_api_is_a_json_404(method):
    client = APIClient(enforce_csrf_checks=True)
    response = getattr(client, method)("/api/v1/evidence/1.5/submit/")

    assert response.status_code == 404
    assert response.json()["error"] == {
        "status": 404,
        "code": "not_found",
        "message": "Not found.",
        "fields": {},
    }


def test_the_api_root_links_every_collection(api):
    body = api.get("/api/v1/").json()

    assert set(body) == {"reviews", "topics", "claims", "evidence", "publications"}


def test_timestamps_are_iso_8601_in_utc(api):
    EvidenceFactory()

    (evidence,) = api.get("/api/v1/evidence/").json()["results"]

    assert evidence["updated_at"].endswith("Z")
    assert evidence["updated_at"][:4] == str(timezone.now().year)


def test_claims_filter_by_kind_and_by_thin_evidence(api, contested_claim):
    thin = ClaimFactory(slug="thin", kind="existential")
    EvidenceFactory(claim=thin, level="in_vitro")
    claims_recompute_status(claim_ids=[thin.pk])

    def slugs(**params):
        return [c["slug"] for c in api.get("/api/v1/claims/", params).json()["results"]]

    assert slugs(kind="existential") == ["thin"]
    assert slugs(thin="true") == ["thin"]
    assert slugs(thin="false") == ["msc-promote-growth"]
    assert api.get("/api/v1/claims/", {"kind": "vague"}).status_code == 400


def test_evidence_gives_each_cancer_type_with_its_ontology_identifier(api):
    evidence = EvidenceFactory(cancer_types=["melanoma", "insulinoma"])

    record = api.get(f"/api/v1/evidence/{evidence.pk}/").json()
    listed = api.get("/api/v1/evidence/").json()["results"][0]
    nested = api.get(f"/api/v1/claims/{evidence.claim.slug}/").json()["evidence"][0]

    assert record["cancer_types"] == [
        {"slug": "insulinoma", "label": "insulinoma", "ontology_id": ""},
        {"slug": "melanoma", "label": "melanoma", "ontology_id": "NCIT:C3224"},
    ]
    assert listed["cancer_types"] == nested["cancer_types"] == record["cancer_types"]
    assert "cancer_type" not in record


def test_info_lists_every_vocabulary_with_its_terms_identifiers(api):
    body = api.get("/api/v1/info").json()["vocabulary"]

    assert body["version"] >= 1
    assert {"slug": "human", "label": "Human", "ontology_id": "NCBITaxon:9606"} in (
        body["species"]
    )
    assert {t["slug"] for t in body["msc_source"]} == set(Evidence.MscSource.values)
    melanoma = next(t for t in body["cancer_type"] if t["slug"] == "melanoma")
    assert melanoma["ontology_id"] == "NCIT:C3224"
    assert len(body["model"]) == len(Evidence.ExperimentalModel.values)

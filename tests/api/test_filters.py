import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from claims.models import Claim, Evidence, Publication
from claims.search import Document
from claims.status_rules import ClaimStatus
from tests.conftest import papers_confirm
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)


def slugs(api, query: str) -> list[str]:
    response = api.get(f"/api/v1/claims/?{query}")
    assert response.status_code == 200, response.content
    return [claim["slug"] for claim in response.json()["results"]]


def evidence_ids(api, query: str) -> list[int]:
    response = api.get(f"/api/v1/evidence/?{query}")
    assert response.status_code == 200, response.content
    return [evidence["id"] for evidence in response.json()["results"]]


def pmids(api, query: str) -> list[int]:
    response = api.get(f"/api/v1/publications/?{query}")
    assert response.status_code == 200, response.content
    return [publication["pmid"] for publication in response.json()["results"]]


@pytest.fixture
def two_sides():
    """A pro-tumor co-injection study and an anti-tumor systemic one."""
    pro = EvidenceFactory(
        claim__slug="pro",
        publication__year=2006,
        publication__pmid=16214129,
        stance=Evidence.Stance.SUPPORTS,
        effect=Evidence.Effect.PRO_TUMOR,
        level=Evidence.Level.ANIMAL,
        msc_source=Evidence.MscSource.BONE_MARROW,
        species=Evidence.Species.HUMAN,
        model=Evidence.ExperimentalModel.CELL_LINE_XENOGRAFT,
        immune_status=Evidence.ImmuneStatus.IMMUNODEFICIENT,
        delivery=Evidence.Delivery.CO_INJECTION,
        cancer_types=["breast-carcinoma"],
    )
    anti = EvidenceFactory(
        claim__slug="anti",
        publication__year=2009,
        publication__pmid=19036701,
        publication__is_retracted=True,
        stance=Evidence.Stance.REFUTES,
        effect=Evidence.Effect.ANTI_TUMOR,
        level=Evidence.Level.IN_VITRO,
        msc_source=Evidence.MscSource.ADIPOSE,
        species=Evidence.Species.MOUSE,
        model=Evidence.ExperimentalModel.SYNGENEIC,
        immune_status=Evidence.ImmuneStatus.IMMUNOCOMPETENT,
        delivery=Evidence.Delivery.SYSTEMIC,
        cancer_types=["kaposi-sarcoma", "melanoma"],
    )
    return pro, anti


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stance=supports", ["pro"]),
        ("stance=refutes", ["anti"]),
        ("effect=anti_tumor", ["anti"]),
        ("level=animal", ["pro"]),
        ("msc_source=adipose", ["anti"]),
        ("species=human", ["pro"]),
        ("model=syngeneic", ["anti"]),
        ("immune_status=immunodeficient", ["pro"]),
        ("delivery=systemic", ["anti"]),
        ("cancer_type=breast-carcinoma", ["pro"]),
        ("cancer_type=Breast%20Carcinoma", ["pro"]),
        ("cancer_type=melanoma", ["anti"]),
        ("cancer_type=melanoma&cancer_type=breast-carcinoma", ["anti", "pro"]),
        ("cancer_type=glioma", []),
        ("year_min=2007", ["anti"]),
        ("year_max=2007", ["pro"]),
        ("year_min=2006&year_max=2009", ["anti", "pro"]),
        ("retracted=true", ["anti"]),
        ("retracted=false", ["pro"]),
        ("pmid=16214129", ["pro"]),
        ("stance=supports&delivery=systemic", []),
    ],
)
def test_claims_are_filtered_by_their_evidence(api, two_sides, query, expected):
    assert sorted(slugs(api, query)) == expected


def test_evidence_filters_must_hold_on_one_and_the_same_record(api):
    claim = ClaimFactory(slug="mixed")
    EvidenceFactory(claim=claim, stance="supports", delivery="systemic")
    EvidenceFactory(claim=claim, stance="refutes", delivery="co_injection")

    assert slugs(api, "stance=supports&delivery=co_injection") == []
    assert slugs(api, "stance=supports&delivery=systemic") == ["mixed"]


def test_claims_are_filtered_only_by_accepted_evidence(api):
    EvidenceFactory(claim__slug="drafted", status=Evidence.Status.DRAFT)

    assert slugs(api, "stance=supports") == []


def test_claims_are_filtered_by_topic_status_and_setting(api):
    homing = TopicFactory(slug="homing")
    ClaimFactory(slug="a", topic=homing, setting=Claim.Setting.BONE_MARROW)
    ClaimFactory(slug="b")
    Claim.objects.filter(slug="b").update(status=ClaimStatus.REFUTED)

    assert slugs(api, "topic=homing") == ["a"]
    assert slugs(api, "status=refuted") == ["b"]
    assert slugs(api, "setting=bone_marrow") == ["a"]


def test_has_conflict_finds_claims_whose_verdict_counts_papers_on_both_sides(api):
    contested = ClaimFactory(slug="contested")
    EvidenceFactory(claim=contested, stance="supports")
    EvidenceFactory(claim=contested, stance="refutes")
    EvidenceFactory(claim__slug="one-sided", stance="supports")
    EvidenceFactory(claim__slug="draft-conflict", stance="supports")
    EvidenceFactory(
        claim=Claim.objects.get(slug="draft-conflict"), stance="refutes", status="draft"
    )
    # Accepted on both sides, but the refuting paper is not counted (rated 1).
    uncounted = ClaimFactory(slug="uncounted-refutation")
    EvidenceFactory(claim=uncounted, stance="supports")
    EvidenceFactory(claim=uncounted, stance="refutes", rating=1)
    papers_confirm()

    assert slugs(api, "has_conflict=true") == ["contested"]
    assert sorted(slugs(api, "has_conflict=false")) == [
        "draft-conflict",
        "one-sided",
        "uncounted-refutation",
    ]
    assert len(evidence_ids(api, "has_conflict=true")) == 2


def test_evidence_is_filtered_by_claim_topic_facets_and_claim_status(api, two_sides):
    pro, anti = two_sides
    Claim.objects.filter(pk=anti.claim_id).update(status=ClaimStatus.REFUTED)

    assert evidence_ids(api, "claim=pro") == [pro.pk]
    assert evidence_ids(api, f"topic={anti.claim.topic.slug}") == [anti.pk]
    assert evidence_ids(api, "delivery=co_injection") == [pro.pk]
    assert evidence_ids(api, "status=refuted") == [anti.pk]
    assert evidence_ids(api, "retracted=true&year_min=2008") == [anti.pk]


def test_evidence_is_filtered_by_workflow_status_for_editors(as_editor):
    EvidenceFactory()
    draft = EvidenceFactory(status=Evidence.Status.DRAFT)

    assert evidence_ids(as_editor, "workflow=draft") == [draft.pk]


def test_the_browse_pages_export_link_parameters_filter_evidence(api, two_sides):
    pro, _ = two_sides
    Claim.objects.filter(pk=pro.claim_id).update(status=ClaimStatus.SUPPORTED)
    topic = pro.claim.topic.slug
    query = f"topic={topic}&status=supported&delivery=co_injection&year_min=2005&q=MSC"
    pro.finding = "MSC enlarged the tumors."
    pro.save()

    assert evidence_ids(api, query) == [pro.pk]


def test_publications_are_filtered_by_year_retraction_pmid_and_citing_claim(
    api, two_sides
):
    PublicationFactory(pmid=1111, year=2001)

    assert pmids(api, "year_min=2007&year_max=2010") == [19036701]
    assert pmids(api, "year_max=2001") == [1111]
    assert pmids(api, "retracted=true") == [19036701]
    assert pmids(api, "pmid=1111") == [1111]
    assert pmids(api, "claim=anti") == [19036701]
    topic = two_sides[0].claim.topic.slug
    assert pmids(api, f"topic={topic}") == [16214129]


def test_topics_are_filtered_by_review(api):
    topic = TopicFactory()
    TopicFactory()

    response = api.get(f"/api/v1/topics/?review={topic.review.slug}").json()

    assert [t["slug"] for t in response["results"]] == [topic.slug]


def test_lists_are_ordered_on_request(api):
    EvidenceFactory(claim__slug="b-claim", rating=5)
    EvidenceFactory(claim__slug="a-claim", rating=1)

    assert slugs(api, "ordering=slug") == ["a-claim", "b-claim"]
    assert slugs(api, "ordering=-slug") == ["b-claim", "a-claim"]
    ratings = api.get("/api/v1/evidence/?ordering=rating").json()["results"]
    assert [e["rating"] for e in ratings] == [1, 5]


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/claims/?status=proven", "status"),
        ("/api/v1/claims/?stance=agrees", "stance"),
        ("/api/v1/claims/?effect=big", "effect"),
        ("/api/v1/claims/?level=cosmic", "level"),
        ("/api/v1/claims/?msc_source=moon", "msc_source"),
        ("/api/v1/claims/?species=cat", "species"),
        ("/api/v1/claims/?model=toy", "model"),
        ("/api/v1/claims/?immune_status=maybe", "immune_status"),
        ("/api/v1/claims/?delivery=post", "delivery"),
        ("/api/v1/claims/?setting=space", "setting"),
        ("/api/v1/claims/?topic=no-such-topic", "topic"),
        ("/api/v1/claims/?year_min=twenty", "year_min"),
        ("/api/v1/claims/?year_max=99999", "year_max"),
        ("/api/v1/claims/?retracted=perhaps", "retracted"),
        ("/api/v1/claims/?has_conflict=2", "has_conflict"),
        ("/api/v1/claims/?pmid=abc", "pmid"),
        ("/api/v1/claims/?pmid=0", "pmid"),
        ("/api/v1/claims/?pmid=99999999999", "pmid"),
        ("/api/v1/claims/?ordering=colour", "ordering"),
        ("/api/v1/claims/?stauts=refuted", "stauts"),
        ("/api/v1/evidence/?claim=no-such-claim", "claim"),
        ("/api/v1/evidence/?status=lost", "status"),
        ("/api/v1/evidence/?workflow=lost", "workflow"),
        ("/api/v1/publications/?pmid=-1", "pmid"),
        ("/api/v1/publications/?claim=nope", "claim"),
        ("/api/v1/topics/?review=nope", "review"),
        ("/api/v1/reviews/?anything=1", "anything"),
        ("/api/v1/claims/?format=xml", "format"),
    ],
)
def test_an_unknown_or_malformed_filter_value_is_a_400_naming_it(api, url, param):
    response = api.get(url)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [param]


def test_every_bad_parameter_is_reported_at_once(api):
    response = api.get("/api/v1/claims/?status=x&stance=y&colour=z")

    assert set(response.json()["error"]["fields"]) == {"status", "stance", "colour"}


def test_search_finds_claims_by_statement_finding_and_paper(api):
    ClaimFactory(slug="by-statement", statement="MSC home to gliomas.")
    EvidenceFactory(claim__slug="by-finding", finding="Gliomas attracted the cells.")
    EvidenceFactory(
        claim__slug="by-paper", publication__title="Tropism of MSC for gliomas"
    )
    ClaimFactory(slug="unrelated", statement="MSC suppress T cells.")

    assert sorted(slugs(api, "q=gliomas")) == ["by-finding", "by-paper", "by-statement"]


def test_search_finds_evidence_and_publications(api):
    match = EvidenceFactory(finding="Osteolytic lesions grew.")
    EvidenceFactory(finding="Nothing of note.")
    PublicationFactory(pmid=2222, title="Osteolytic bone disease in myeloma")

    assert evidence_ids(api, "q=osteolytic") == [match.pk]
    # A paper is also found through the findings that cite it.
    assert sorted(pmids(api, "q=osteolytic")) == [2222, match.publication.pmid]


def test_search_combines_with_filters(api):
    EvidenceFactory(claim__slug="pro", finding="Tumors grew.", stance="supports")
    EvidenceFactory(claim__slug="con", finding="Tumors grew less.", stance="refutes")

    assert slugs(api, "q=tumors&stance=refutes") == ["con"]


def test_search_ranks_the_best_match_first(api):
    ClaimFactory(slug="once", statement="Angiogenesis happens in many tumors.")
    ClaimFactory(
        slug="twice", statement="Angiogenesis driven by MSC angiogenesis factors."
    )

    assert slugs(api, "q=angiogenesis") == ["twice", "once"]


def test_search_understands_web_search_syntax(api):
    ClaimFactory(slug="with-mice", statement="Tumors grew in mice.")
    ClaimFactory(slug="with-rats", statement="Tumors grew in rats.")

    assert slugs(api, "q=tumors%20-mice") == ["with-rats"]


@on_postgresql
@pytest.mark.parametrize("model", [Claim, Evidence, Publication])
def test_postgresql_finds_words_in_the_stored_documents_through_their_index(model):
    query = SearchQuery("tumor", search_type="phrase", config="english")
    matches = model.objects.alias(document=Document()).filter(document=query).order_by()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")

    plan = matches.explain()
    assert f"Bitmap Index Scan on {model._meta.db_table}_search_document" in plan
    assert "to_tsvector" not in plan  # nothing is stemmed to search


@pytest.mark.parametrize("model", [Claim, Evidence, Publication])
def test_the_stored_documents_exist_only_on_postgresql(model):
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(
            cursor, model._meta.db_table
        )

    assert ("search_document" in {c.name for c in columns}) == (
        connection.vendor == "postgresql"
    )

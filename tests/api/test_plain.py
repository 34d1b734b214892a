"""A resource's plan renders the bytes its shape's DRF serializer renders."""

import datetime

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from claims.api.renderers import JSONRenderer
from claims.exports import shapes as s
from claims.exports.plans import Plan, plan
from claims.models import Claim, Evidence, Publication, Review, Topic
from tests.api.conftest import client_for
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC)


@pytest.fixture
def records():
    """Records whose every field takes a value unlike the factories' defaults."""
    claim = ClaimFactory(slug="c-ü")
    papers = [
        PublicationFactory(pmid=7, title="Tumör \u2028 <b>", year=None, doi=""),
        PublicationFactory(pmid=8, is_retracted=True, doi="10.1/x", year=1999),
    ]
    found = [
        EvidenceFactory(
            claim=claim,
            publication=papers[0],
            cancer_types=[
                TermFactory(slug="q", label="glioma “quoted”", ontology_id="X:1"),
                "melanoma",
            ],
            msc_tumor_ratio="1:4",
            immune_status=Evidence.ImmuneStatus.IMMUNODEFICIENT,
            delivery=Evidence.Delivery.CO_INJECTION,
            quote="",
            rating=5,
            needs_rereview=True,
        ),
        EvidenceFactory(
            claim=claim,
            publication=papers[1],
            stance=Evidence.Stance.REFUTES,
            effect=Evidence.Effect.ANTI_TUMOR,
            rating=1,
            status=Evidence.Status.REJECTED,
            review_reason="Not in the abstract.",
        ),
        EvidenceFactory(claim=claim, publication=papers[1], rating=3),
    ]
    Evidence.objects.filter(pk=found[0].pk).update(created_at=WHEN, updated_at=WHEN)
    return claim


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


def request_for(path: str):
    return APIRequestFactory().get(path)


@pytest.mark.parametrize(
    "serializer_class", [s.EvidenceSerializer, s.ClaimEvidenceSerializer]
)
@pytest.mark.parametrize("time_zone", ["UTC", "America/New_York"])
def test_a_plan_gives_the_serializers_bytes(
    records, serializer_class, time_zone, settings
):
    settings.TIME_ZONE = time_zone
    context = {"request": request_for("/api/v1/evidence/")}
    evidence = Evidence.objects.all()
    records = plan(serializer_class)

    planned = records.rows(evidence.values_list(*records.paths), context["request"])
    serialized = serializer_class(evidence, many=True, context=context).data

    assert len(planned) == 3
    assert rendered(planned) == rendered(serialized)
    terms = next(row["cancer_types"] for row in planned if row["cancer_types"])
    assert [t["ontology_id"] for t in terms] == ["X:1", "NCIT:C3224"]


class PropertySerializer(serializers.ModelSerializer):
    pubmed_url = serializers.URLField(read_only=True)

    class Meta:
        model = Publication
        fields = ["pmid", "pubmed_url"]


def test_a_plan_refuses_a_field_it_cannot_read_as_a_column():
    with pytest.raises(TypeError, match="pubmed_url: source 'pubmed_url'"):
        Plan(PropertySerializer)


@pytest.mark.parametrize(
    ("serializer_class", "model"),
    [
        (s.ReviewSerializer, Review),
        (s.TopicSerializer, Topic),
        (s.PublicationSerializer, Publication),
        (s.ClaimSerializer, Claim),
    ],
)
def test_every_resources_plan_gives_its_serializers_bytes(
    records, serializer_class, model
):
    context = {"request": request_for("/api/v1/")}
    found = model.objects.order_by("pk")
    records = plan(serializer_class)

    planned = records.rows(found.values_list(*records.paths), context["request"])
    serialized = serializer_class(found, many=True, context=context).data

    assert planned
    assert rendered(planned) == rendered(serialized)


def test_a_claim_detail_is_what_the_serializers_give(records, api):
    body = api.get("/api/v1/claims/c-%C3%BC/").content

    context = {"request": request_for("/api/v1/claims/c-%C3%BC/")}
    claim = Claim.objects.get()
    expected = s.ClaimDetailSerializer(claim, context=context).data
    assert body == rendered(expected)
    assert len(expected["evidence"]) == 2
    assert expected["topic_name"] == claim.topic.name


def test_an_unknown_claim_is_a_404(api):
    assert api.get("/api/v1/claims/no-such-claim/").status_code == 404


def test_an_evidence_page_is_what_the_serializer_gives(records, editor):
    body = client_for(editor).get("/api/v1/evidence/?page_size=2&page=1").json()

    context = {"request": request_for("/api/v1/evidence/")}
    first_two = Evidence.objects.all()[:2]
    expected = s.EvidenceSerializer(first_two, many=True, context=context).data
    assert body["count"] == 3  # an editor also sees the rejected record
    assert rendered(body["results"]) == rendered(expected)


def test_a_claims_page_is_what_the_serializer_gives(records, api):
    ClaimFactory(slug="c-empty")  # no evidence: zero counts
    body = api.get("/api/v1/claims/?page_size=5").json()

    context = {"request": request_for("/api/v1/claims/")}
    claims = Claim.objects.all()
    expected = s.ClaimSerializer(claims, many=True, context=context).data
    assert body["count"] == 2
    assert rendered(body["results"]) == rendered(expected)
    totals = {c["slug"]: c["evidence_counts"]["total"] for c in body["results"]}
    assert totals == {"c-ü": 2, "c-empty": 0}

"""A context facet the abstract does not report is null in the API, as in the
schema, and a write may send it as null (or blank, as before)."""

import pytest
import yaml
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.exports.shapes import UNREPORTED_AS_NULL, EvidenceSerializer
from claims.facets import CONTEXT_FACETS, TERM_FACETS
from claims.models import Evidence
from tests.api.test_writes import payload
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def test_every_single_valued_context_facet_is_declared_nullable():
    declared = set(EvidenceSerializer._declared_fields)

    assert set(UNREPORTED_AS_NULL) == set(CONTEXT_FACETS) - set(TERM_FACETS)
    assert set(UNREPORTED_AS_NULL) <= declared


def test_an_unreported_facet_reads_as_null_and_a_reported_one_as_its_value(api):
    record = EvidenceFactory(
        status="accepted", msc_source="", species="human", delivery=""
    )

    body = api.get(f"/api/v1/evidence/{record.pk}/").json()
    listed = api.get("/api/v1/evidence/").json()["results"][0]
    nested = api.get(f"/api/v1/claims/{record.claim.slug}/").json()["evidence"][0]

    for found in (body, listed, nested):
        assert found["msc_source"] is None
        assert found["delivery"] is None
        assert found["species"] == "human"


@pytest.mark.parametrize("unreported", [None, ""])
def test_a_write_may_send_an_unreported_facet_as_null_or_blank(curator, unreported):
    ClaimFactory(slug="msc-promote-growth")
    PublicationFactory(pmid=16214129, abstract="MSC enlarged the tumors.")
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=curator).key}"
    )

    response = client.post(
        "/api/v1/evidence/",
        payload(msc_source=unreported, not_reported=["msc_source"]),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["msc_source"] is None
    assert Evidence.objects.get(pk=response.json()["id"]).msc_source == ""


def test_the_schema_says_an_unreported_facet_is_null(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    evidence = schema["components"]["schemas"]["Evidence"]["properties"]

    for name in UNREPORTED_AS_NULL:
        assert evidence[name].get("nullable") is True, name

"""Record URLs filled into a once-reversed template equal reverse()'s."""

import pytest
from django.urls import reverse

from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def test_every_record_url_is_the_one_reverse_gives(api):
    claim = ClaimFactory(slug="c-1")
    evidence = EvidenceFactory(claim=claim, publication=PublicationFactory(pmid=42))
    base = "http://testserver"

    body = api.get("/api/v1/claims/c-1/").json()

    assert body["url"] == base + reverse("api:claim-detail", args=["c-1"])
    nested = body["evidence"][0]
    assert nested["url"] == base + reverse("api:evidence-detail", args=[evidence.pk])
    assert nested["publication"]["url"] == base + reverse(
        "api:publication-detail", args=[42]
    )
    listed = api.get("/api/v1/evidence/").json()["results"][0]
    assert listed["url"] == nested["url"]

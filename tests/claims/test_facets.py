"""The browse page's filters and facet counts."""

import os

import pytest
from django.core.management import call_command

from claims.facets import ClaimFilters
from claims.models import Claim
from claims.status_rules import ClaimStatus
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def test_filters_ignore_values_no_choice_allows():
    filters = ClaimFilters.from_params(
        {
            "status": "bogus",
            "delivery": "teleport",
            "year_min": "soon",
            "level": "clinical",
        }
    )

    assert filters.params() == {"level": "clinical"}


def test_evidence_filters_must_hold_on_one_and_the_same_record():
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, delivery="co_injection", species="human")
    EvidenceFactory(claim=claim, delivery="systemic", species="mouse")

    both_on_one = ClaimFilters.from_params({"delivery": "systemic", "species": "mouse"})
    split = ClaimFilters.from_params({"delivery": "systemic", "species": "human"})

    assert list(both_on_one.claims(Claim.objects.all())) == [claim]
    assert not split.claims(Claim.objects.all()).exists()


def test_year_range_filters_on_the_papers_year():
    old, new = ClaimFactory(), ClaimFactory()
    EvidenceFactory(claim=old, publication=PublicationFactory(year=1999))
    EvidenceFactory(claim=new, publication=PublicationFactory(year=2008))

    filters = ClaimFilters.from_params({"year_min": "2000", "year_max": "2010"})

    assert list(filters.claims(Claim.objects.all())) == [new]


def test_facet_counts_count_claims_under_the_other_filters():
    contested = ClaimFactory(status=ClaimStatus.CONTESTED)
    supported = ClaimFactory(status=ClaimStatus.SUPPORTED)
    EvidenceFactory(claim=contested, delivery="systemic")
    EvidenceFactory(claim=contested, delivery="systemic")
    EvidenceFactory(claim=supported, delivery="co_injection")

    facets = {
        f.name: f for f in ClaimFilters.from_params({"status": "contested"}).facets()
    }

    delivery = {o.value: o.count for o in facets["delivery"].options}
    status = {o.value: (o.count, o.selected) for o in facets["status"].options}
    assert delivery == {"systemic": 1}
    assert status == {"contested": (1, True), "supported": (1, False)}


def test_the_query_string_uses_the_api_parameter_names_in_a_fixed_order():
    filters = ClaimFilters.from_params(
        {"q": "bone  marrow", "year_max": "2009", "delivery": "systemic", "page": "2"}
    )

    assert filters.querystring() == "delivery=systemic&year_max=2009&q=bone+marrow"
    assert filters.querystring(without="q") == "delivery=systemic&year_max=2009"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "supported"},
        {"level": "animal", "year_min": "2005"},
        {"q": "tumor", "delivery": "co_injection"},
    ],
)
def test_each_facet_count_is_the_number_of_claims_its_choice_leaves(params):
    call_command("load_review", stdout=open(os.devnull, "w"))  # noqa: SIM115
    filters = ClaimFilters.from_params(params)

    for facet in filters.facets():
        for option in facet.options:
            chosen = ClaimFilters.from_params(params | {facet.name: option.value})
            assert chosen.claims(Claim.objects.all()).count() == option.count, (
                facet.name,
                option.value,
            )

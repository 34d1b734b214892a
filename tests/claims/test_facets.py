"""The browse page's filters and facet counts."""

import os
import random
from collections import Counter, defaultdict
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import QueryDict

from claims.facets import FACET_NAMES, TERM_FACETS
from claims.filters import ClaimFilter
from claims.models import Claim, Evidence, Term
from claims.pages.facets import MULTIPLE, ClaimFilters
from claims.review_file import read_review_file
from claims.status_rules import ClaimStatus
from claims.vocabulary import cancer_type_links
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    ReviewFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def browse(params: dict | QueryDict) -> ClaimFilters:
    """The browse page's facets for a query string (a dict of a string, or a
    list of them, or a QueryDict), which must be valid."""
    if not isinstance(params, QueryDict):
        params = QueryDict(urlencode(params, doseq=True))
    filterset = ClaimFilter(params, queryset=Claim.objects.all())
    assert filterset.is_valid(), filterset.errors
    return ClaimFilters(filterset)


def test_filters_refuse_values_no_choice_allows_naming_each():
    filterset = ClaimFilter(
        QueryDict("status=bogus&delivery=teleport&year_min=soon&level=clinical"),
        queryset=Claim.objects.all(),
    )

    assert not filterset.is_valid()
    assert sorted(filterset.errors) == ["delivery", "status", "year_min"]


def test_evidence_filters_must_hold_on_one_and_the_same_record():
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, delivery="co_injection", species="human")
    EvidenceFactory(claim=claim, delivery="systemic", species="mouse")

    both_on_one = browse({"delivery": "systemic", "species": "mouse"})
    split = browse({"delivery": "systemic", "species": "human"})

    assert list(both_on_one.filterset.qs) == [claim]
    assert not split.filterset.qs.exists()


def test_year_range_filters_on_the_papers_year():
    old, new = ClaimFactory(), ClaimFactory()
    EvidenceFactory(claim=old, publication=PublicationFactory(year=1999))
    EvidenceFactory(claim=new, publication=PublicationFactory(year=2008))

    filters = browse({"year_min": "2000", "year_max": "2010"})

    assert list(filters.filterset.qs) == [new]


def test_facet_counts_count_claims_under_the_other_filters():
    contested = ClaimFactory(status=ClaimStatus.CONTESTED)
    supported = ClaimFactory(status=ClaimStatus.SUPPORTED)
    EvidenceFactory(claim=contested, delivery="systemic")
    EvidenceFactory(claim=contested, delivery="systemic")
    EvidenceFactory(claim=supported, delivery="co_injection")

    facets = {f.name: f for f in browse({"status": "contested"}).facets()}

    delivery = {o.value: o.count for o in facets["delivery"].options}
    status = {o.value: (o.count, o.selected) for o in facets["status"].options}
    assert delivery == {"systemic": 1}
    assert status == {"contested": (1, True), "supported": (1, False)}


def test_the_query_string_uses_the_api_parameter_names_in_a_fixed_order():
    filters = browse(
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
    filters = browse(params)

    for facet in filters.facets():
        for option in facet.options:
            chosen = browse(params | {facet.name: option.value})
            assert chosen.filterset.qs.count() == option.count, (
                facet.name,
                option.value,
            )


# -- the database's counts against a count in Python -------------------------------


@pytest.fixture
def varied():
    """Claims in three topics, of several statuses, with accepted evidence whose
    values vary (blanks included), repeat within a claim, and sit on papers with
    and without a year; rejected records and claims without evidence too."""
    rng = random.Random(20411303)
    review = ReviewFactory()
    topics = [TopicFactory(review=review, slug=f"t{i}", position=i) for i in (1, 2, 3)]
    years = [None, 1999, 2004, 2005, 2008, 2010]
    papers = [PublicationFactory(year=rng.choice(years)) for _ in range(12)]
    for i in range(30):
        words = "angiogenesis in tumors" if i % 3 == 0 else "homing to wounds"
        claim = ClaimFactory(
            topic=rng.choice(topics),
            status=rng.choice(ClaimStatus.values),
            statement=f"MSC drive {words}.",
        )
        for _ in range(rng.randrange(5)):
            EvidenceFactory(
                claim=claim,
                publication=rng.choice(papers),
                status=rng.choice(["accepted"] * 4 + ["rejected"]),
                **{
                    TERM_FACETS.get(name, name): rng.choice(_values(name))
                    for name in FACET_NAMES
                },
            )


def _values(name: str) -> list:
    """A facet's values to draw from: a few of its choices, and often a blank
    where the field may be left blank; for cancer type, none, one or two terms
    (the factories' keyword)."""
    if name in MULTIPLE:
        return [(), (), ("glioma",), ("multiple-myeloma",), ("glioma", "melanoma")]
    field = Evidence._meta.get_field(name)
    choices = [value for value, _ in field.choices][:3]
    return [*choices, "", ""] if field.blank else choices


def _facet_values(record: Evidence, facet: str) -> set[str]:
    value = record.facet_value(facet)
    return {value} if isinstance(value, str) else set(value)


def python_counts(filters: ClaimFilters) -> dict[str, Counter]:
    """Claims per value of each facet, counted in Python over every row: the
    browse page's own algorithm before the database counted."""
    claims = {
        claim.pk: claim
        for claim in Claim.objects.select_related("topic")
        if not filters.q or claim.pk in filters.matching_ids
    }
    evidence = defaultdict(list)
    accepted = Evidence.objects.accepted().select_related("publication")
    for record in accepted.prefetch_related("cancer_types"):
        evidence[record.claim_id].append(record)

    def claim_passes(claim, without=""):
        values = {"topic": claim.topic.slug, "status": claim.status}
        return all(
            values[k] == v
            for k, v in filters.values.items()
            if k in ("topic", "status") and k != without
        )

    def record_passes(record, without=""):
        year = record.publication.year
        if filters.year_min is not None and (year is None or year < filters.year_min):
            return False
        if filters.year_max is not None and (year is None or year > filters.year_max):
            return False
        return all(
            _facet_values(record, k) & ({v} if isinstance(v, str) else set(v))
            for k, v in filters.values.items()
            if k in FACET_NAMES and k != without
        )

    filtered = bool(filters.evidence_q())
    counts = defaultdict(Counter)
    for pk, claim in claims.items():
        found = not filtered or any(record_passes(r) for r in evidence[pk])
        for facet, value in (("topic", claim.topic.slug), ("status", claim.status)):
            if found and claim_passes(claim, without=facet):
                counts[facet][value] += 1
        if claim_passes(claim):
            for facet in FACET_NAMES:
                counts[facet].update(
                    set().union(
                        *(
                            _facet_values(r, facet)
                            for r in evidence[pk]
                            if record_passes(r, facet)
                        )
                    )
                )
    return counts


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "contested"},
        {"topic": "t2"},
        {"delivery": "systemic"},
        {"delivery": "systemic", "species": "human"},
        {"year_min": "2005"},
        {"year_max": "2005", "level": "animal", "topic": "t1"},
        {"q": "angiogenesis"},
        {"q": "angiogenesis", "status": "supported", "msc_source": "bone_marrow"},
        {"cancer_type": "glioma", "topic": "t3", "year_min": "2000"},
        {"cancer_type": ["melanoma", "multiple-myeloma"], "delivery": "local"},
        {"q": "nowhere", "topic": "t1", "delivery": "local"},
    ],
)
def test_the_database_counts_each_facet_as_python_counts_every_row(varied, params):
    filters = browse(params)
    expected = python_counts(filters)

    for facet in filters.facets():
        chosen = filters.values.get(facet.name, ())
        chosen = (chosen,) if isinstance(chosen, str) else chosen
        found = {o.value: o.count for o in facet.options}
        counted = {v: n for v, n in expected[facet.name].items() if v and n}
        assert found == counted | {v: counted.get(v, 0) for v in chosen}


def test_the_year_bounds_are_those_of_the_papers_with_accepted_evidence(varied):
    PublicationFactory(year=1900)  # no evidence
    EvidenceFactory(publication=PublicationFactory(year=2020), status="rejected")
    accepted = Evidence.objects.accepted().exclude(publication__year=None)
    years = [record.publication.year for record in accepted]

    filters = browse({"delivery": "local", "year_min": "2009"})

    assert filters.year_bounds() == (min(years), max(years))


def test_without_accepted_evidence_there_are_no_year_bounds():
    EvidenceFactory(status="rejected")

    assert browse({}).year_bounds() == (None, None)


# -- cancer types: terms, several at once ------------------------------------------


def melanoma_claims_in_the_file() -> set[str]:
    data = read_review_file(settings.REVIEW_DATA_FILE)
    return {claim.slug for claim, ev in data.evidence if "melanoma" in ev.cancer_types}


def test_the_melanoma_filter_finds_every_claim_with_melanoma_evidence():
    call_command("load_review", stdout=open(os.devnull, "w"))  # noqa: SIM115
    expected = melanoma_claims_in_the_file()

    filters = browse({"cancer_type": "melanoma"})
    found = set(filters.filterset.qs.values_list("slug", flat=True))

    assert found == expected
    assert len(expected) >= 5
    melanoma = next(
        o
        for f in browse({}).facets()
        if f.name == "cancer_type"
        for o in f.options
        if o.value == "melanoma"
    )
    assert (melanoma.label, melanoma.count, melanoma.ontology_id) == (
        "melanoma",
        len(expected),
        "NCIT:C3224",
    )


def test_several_cancer_types_find_claims_with_evidence_in_any_of_them():
    glioma, myeloma, both = ClaimFactory(), ClaimFactory(), ClaimFactory()
    EvidenceFactory(claim=glioma, cancer_types=["glioma"])
    EvidenceFactory(claim=myeloma, cancer_types=["multiple-myeloma"])
    EvidenceFactory(claim=both, cancer_types=["glioma", "melanoma"])
    ClaimFactory()  # no cancer type

    filters = browse(
        QueryDict("cancer_type=glioma&cancer_type=Multiple%20Myeloma&cancer_type=")
    )

    assert filters.values["cancer_type"] == ("glioma", "multiple-myeloma")
    assert set(filters.filterset.qs) == {glioma, myeloma, both}
    assert filters.querystring() == ("cancer_type=glioma&cancer_type=multiple-myeloma")
    assert filters.querystring(without="cancer_type", value="glioma") == (
        "cancer_type=multiple-myeloma"
    )


def test_a_cancer_type_filter_holds_with_the_others_on_one_and_the_same_record():
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, cancer_types=["glioma"], delivery="systemic")
    EvidenceFactory(claim=claim, cancer_types=["melanoma"], delivery="local")

    same = browse({"cancer_type": "glioma", "delivery": "systemic"})
    split = browse({"cancer_type": "glioma", "delivery": "local"})

    assert list(same.filterset.qs) == [claim]
    assert not split.filterset.qs.exists()


def test_cancer_type_options_are_terms_in_label_order_with_their_identifiers():
    EvidenceFactory(cancer_types=["melanoma", "kaposi-sarcoma"])
    EvidenceFactory(cancer_types=["melanoma"])

    filters = browse({"cancer_type": ["glioma", "melanoma"]})
    facet = next(f for f in filters.facets() if f.name == "cancer_type")

    assert facet.multiple
    assert facet.label == "Cancer type"
    assert [(o.value, o.label, o.count, o.selected) for o in facet.options] == [
        ("glioma", "glioma", 0, True),  # chosen, so listed at 0
        ("kaposi-sarcoma", "Kaposi sarcoma", 1, False),
        ("melanoma", "melanoma", 2, True),
    ]
    ids = {o.value: o.ontology_id for o in facet.options}
    assert ids["kaposi-sarcoma"] == "NCIT:C9087"
    unselect = {o.value: o.unselect for o in facet.options}
    assert unselect["melanoma"] == "cancer_type=glioma"


def test_choice_facets_show_the_ontology_identifier_of_their_values():
    EvidenceFactory(species="mouse", msc_source="adipose", model="syngeneic")

    facets = {f.name: f for f in browse({}).facets()}

    assert [(o.value, o.ontology_id) for o in facets["species"].options] == [
        ("mouse", "NCBITaxon:10090")
    ]
    assert facets["msc_source"].options[0].ontology_id == "UBERON:0001013"
    assert facets["model"].options[0].ontology_id == ""


def test_case_variants_of_a_legacy_cancer_type_are_one_term_and_one_option():
    upper, lower = EvidenceFactory(), EvidenceFactory()
    links = cancer_type_links(
        Term, [(upper.pk, "Multiple Myeloma"), (lower.pk, "multiple myeloma")]
    )
    Evidence.cancer_types.through.objects.bulk_create(
        Evidence.cancer_types.through(evidence_id=pk, term_id=term)
        for pk, term in links
    )

    facet = next(f for f in browse({}).facets() if f.name == "cancer_type")

    assert [(o.value, o.count) for o in facet.options] == [("multiple-myeloma", 2)]
    assert Term.objects.filter(label__iexact="multiple myeloma").count() == 1

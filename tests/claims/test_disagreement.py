"""The "why studies disagree" tallies: pure functions over unsaved evidence."""

import pytest

from claims.disagreement import explain_disagreement, tally
from claims.labels import value_label
from claims.models import Evidence, Publication
from claims.selectors import evidence_facts
from claims.status_rules import compute_status
from tests.factories import EvidenceFactory


def finding(pmid, stance="supports", effect="pro_tumor", *, retracted=False, **kw):
    """An unsaved, accepted evidence record on its own unsaved, confirmed paper."""
    kw.setdefault("level", "animal")
    kw.setdefault("status", Evidence.Status.ACCEPTED)
    paper = Publication(
        pmid=pmid,
        is_retracted=retracted,
        metadata_state=Publication.MetadataState.CURRENT,
        verification=Publication.Verification.VERIFIED,
    )
    return Evidence(publication=paper, stance=stance, effect=effect, **kw)


def explain(records):
    """The panel as the claim page builds it: with the rules' own separation."""
    accepted = [e for e in records if e.status == Evidence.Status.ACCEPTED]
    verdict = compute_status([evidence_facts(e) for e in accepted])
    separation = verdict.separation if verdict.rule == "R3" else None
    return explain_disagreement(records, separation)


def co_injection_vs_systemic():
    pro = [
        finding(i, delivery="co_injection", immune_status="immunodeficient")
        for i in range(1, 6)
    ]
    pro.append(finding(6, delivery="local", immune_status="immunodeficient"))
    con = [
        finding(i, "refutes", "anti_tumor", delivery="systemic", immune_status="")
        for i in range(7, 10)
    ]
    return pro + con


def test_tally_counts_values_most_common_first_and_not_reported_last():
    records = [
        finding(1, delivery="local"),
        finding(2, delivery=""),
        finding(3, delivery="co_injection"),
        finding(4, delivery="co_injection"),
    ]

    side = tally(records, "delivery")

    assert [(v.value, v.count) for v in side.values] == [
        ("co_injection", 2),
        ("local", 1),
        ("", 1),
    ]
    assert side.describe() == (
        "2 of 4 co-injection with tumor cells, 1 of 4 local injection, "
        "1 of 4 not reported"
    )


def test_tallies_each_side_of_each_reported_facet():
    result = explain(co_injection_vs_systemic())

    delivery = next(f for f in result.facets if f.facet == "delivery")
    assert delivery.supporting.describe() == (
        "5 of 6 co-injection with tumor cells, 1 of 6 local injection"
    )
    assert delivery.refuting.describe() == "3 of 3 systemic injection"
    assert result.supporting_effects.describe() == "6 of 6 pro-tumor"
    assert result.refuting_effects.describe() == "3 of 3 anti-tumor"


def test_the_facet_the_status_rules_find_is_marked_separating_and_listed_first():
    result = explain(co_injection_vs_systemic())

    assert [f.facet for f in result.separating] == ["delivery"]
    assert result.facets[0].facet == "delivery"


def test_a_facet_not_reported_on_one_side_does_not_separate():
    result = explain(co_injection_vs_systemic())

    immune = next(f for f in result.facets if f.facet == "immune_status")
    assert not immune.separates
    assert immune.refuting.describe() == "3 of 3 not reported"


def test_facets_no_finding_reports_are_left_out():
    result = explain(co_injection_vs_systemic())

    assert "msc_source" not in {f.facet for f in result.facets}
    assert "level" in {f.facet for f in result.facets}


def test_non_separating_facets_are_ordered_by_how_differently_the_sides_spread():
    records = [
        finding(1, model="syngeneic", species="mouse"),
        finding(2, model="syngeneic", species="human"),
        finding(6, model="pdx", species="human"),
        finding(3, "refutes", model="syngeneic", species="human"),
        finding(4, "refutes", model="pdx", species="human"),
        finding(5, "refutes", model="pdx", species="mouse"),
    ]

    result = explain(records)

    assert not result.separating
    model, species = (
        next(f for f in result.facets if f.facet == name)
        for name in ("model", "species")
    )
    assert model.difference > species.difference
    names = [f.facet for f in result.facets]
    assert names.index("model") < names.index("species")


def test_difference_is_zero_for_identical_sides_and_one_for_disjoint_sides():
    same = explain(
        [finding(1, delivery="local"), finding(2, "refutes", delivery="local")]
    )
    disjoint = explain(
        [finding(1, delivery="local"), finding(2, "refutes", delivery="systemic")]
    )

    assert same.facets[0].difference == 0
    assert next(f for f in disjoint.facets if f.facet == "delivery").difference == 1


def test_a_facet_one_side_never_reports_ranks_below_a_facet_both_sides_report():
    records = [
        finding(1, delivery="co_injection", immune_status="immunodeficient"),
        finding(2, "refutes", "anti_tumor", delivery="co_injection"),
        finding(3, "refutes", "anti_tumor", delivery="systemic"),
    ]

    result = explain(records)

    immune, delivery = (
        next(f for f in result.facets if f.facet == name)
        for name in ("immune_status", "delivery")
    )
    assert immune.difference == 0  # the refuting papers say nothing of it
    assert delivery.difference == 0.5
    assert result.facets[0].facet == "delivery"


def test_retracted_review_and_unaccepted_findings_are_not_counted():
    records = [
        finding(1, delivery="co_injection"),
        finding(2, "refutes", delivery="systemic"),
        finding(3, "refutes", delivery="co_injection", retracted=True),
        finding(4, "refutes", level="review", delivery="co_injection"),
        finding(5, "refutes", delivery="co_injection", status="draft"),
        finding(6, delivery="co_injection"),
        finding(7, "refutes", delivery="systemic"),
    ]

    result = explain(records)

    delivery = next(f for f in result.facets if f.facet == "delivery")
    assert delivery.refuting.total == 2
    assert delivery.separates


def test_qualifying_findings_take_no_side():
    records = [
        finding(1, delivery="co_injection"),
        finding(2, "qualifies", delivery="systemic"),
    ]

    assert explain(records) is None


def test_there_is_nothing_to_explain_without_both_sides():
    assert explain([finding(1), finding(2)]) is None
    assert explain([]) is None


@pytest.mark.django_db
def test_terms_are_shown_by_their_label_and_choices_by_their_label_in_lowercase():
    assert value_label("cancer_type", "kaposi-sarcoma") == "Kaposi sarcoma"
    assert value_label("cancer_type", "x", terms={"x": "a label"}) == "a label"
    assert value_label("immune_status", "immunodeficient") == "immunodeficient host"
    assert value_label("delivery", "") == "not reported"


def test_a_paper_with_several_findings_on_a_side_is_tallied_once():
    records = [
        finding(1, delivery="co_injection"),
        finding(1, delivery="co_injection", effect="mixed", level="in_vitro"),
        finding(2, "refutes", delivery="systemic"),
    ]

    delivery = tally([r for r in records if r.stance == "supports"], "delivery")

    assert delivery.describe() == "1 of 1 co-injection with tumor cells"


def test_papers_awaiting_verification_or_rated_low_take_no_side():
    records = [finding(1, delivery="local"), finding(2, "refutes", rating=2)]
    records[0].publication.verification = Publication.Verification.UNVERIFIED

    assert explain(records) is None


@pytest.mark.django_db
def test_a_paper_counts_once_for_each_of_its_cancer_types():
    records = [
        EvidenceFactory(cancer_types=["breast-carcinoma", "melanoma"]),
        EvidenceFactory(cancer_types=["melanoma"]),
        EvidenceFactory(),
    ]

    side = tally(records, "cancer_type")

    assert side.describe() == (
        "2 of 3 melanoma, 1 of 3 breast carcinoma, 1 of 3 not reported"
    )

"""The "why studies disagree" tallies: pure functions over unsaved evidence."""

from claims.disagreement import explain_disagreement, tally, value_label
from claims.models import Evidence, Publication


def finding(pmid, stance="supports", effect="pro_tumor", *, retracted=False, **kw):
    """An unsaved, accepted evidence record on its own unsaved paper."""
    kw.setdefault("level", "animal")
    kw.setdefault("status", Evidence.Status.ACCEPTED)
    return Evidence(
        publication=Publication(pmid=pmid, is_retracted=retracted),
        stance=stance,
        effect=effect,
        **kw,
    )


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
    result = explain_disagreement(co_injection_vs_systemic())

    delivery = next(f for f in result.facets if f.facet == "delivery")
    assert delivery.supporting.describe() == (
        "5 of 6 co-injection with tumor cells, 1 of 6 local injection"
    )
    assert delivery.refuting.describe() == "3 of 3 systemic injection"
    assert result.supporting_effects.describe() == "6 of 6 pro-tumor"
    assert result.refuting_effects.describe() == "3 of 3 anti-tumor"


def test_the_facet_the_status_rules_find_is_marked_separating_and_listed_first():
    result = explain_disagreement(co_injection_vs_systemic())

    assert [f.facet for f in result.separating] == ["delivery"]
    assert result.facets[0].facet == "delivery"


def test_a_facet_not_reported_on_one_side_does_not_separate():
    result = explain_disagreement(co_injection_vs_systemic())

    immune = next(f for f in result.facets if f.facet == "immune_status")
    assert not immune.separates
    assert immune.refuting.describe() == "3 of 3 not reported"


def test_facets_no_finding_reports_are_left_out():
    result = explain_disagreement(co_injection_vs_systemic())

    assert "msc_source" not in {f.facet for f in result.facets}
    assert "level" in {f.facet for f in result.facets}


def test_non_separating_facets_are_ordered_by_how_differently_the_sides_spread():
    records = [
        finding(1, model="syngeneic", species="mouse"),
        finding(2, model="syngeneic", species="human"),
        finding(3, "refutes", model="syngeneic", species="human"),
        finding(4, "refutes", model="pdx", species="human"),
        finding(5, "refutes", model="pdx", species="mouse"),
    ]

    result = explain_disagreement(records)

    assert not result.separating
    model, species = (
        next(f for f in result.facets if f.facet == name)
        for name in ("model", "species")
    )
    assert model.difference > species.difference
    names = [f.facet for f in result.facets]
    assert names.index("model") < names.index("species")


def test_difference_is_zero_for_identical_sides_and_one_for_disjoint_sides():
    same = explain_disagreement(
        [finding(1, delivery="local"), finding(2, "refutes", delivery="local")]
    )
    disjoint = explain_disagreement(
        [finding(1, delivery="local"), finding(2, "refutes", delivery="systemic")]
    )

    assert same.facets[0].difference == 0
    assert next(f for f in disjoint.facets if f.facet == "delivery").difference == 1


def test_retracted_review_and_unaccepted_findings_are_not_counted():
    records = [
        finding(1, delivery="co_injection"),
        finding(2, "refutes", delivery="systemic"),
        finding(3, "refutes", delivery="co_injection", retracted=True),
        finding(4, "refutes", level="review", delivery="co_injection"),
        finding(5, "refutes", delivery="co_injection", status="draft"),
    ]

    result = explain_disagreement(records)

    delivery = next(f for f in result.facets if f.facet == "delivery")
    assert delivery.refuting.total == 1
    assert delivery.separates


def test_qualifying_findings_take_no_side():
    records = [
        finding(1, delivery="co_injection"),
        finding(2, "qualifies", delivery="systemic"),
    ]

    assert explain_disagreement(records) is None


def test_there_is_nothing_to_explain_without_both_sides():
    assert explain_disagreement([finding(1), finding(2)]) is None
    assert explain_disagreement([]) is None


def test_free_text_values_are_shown_as_curated_and_choices_by_their_label():
    assert value_label("cancer_type", "breast carcinoma") == "breast carcinoma"
    assert value_label("immune_status", "immunodeficient") == "immunodeficient host"
    assert value_label("delivery", "") == "not reported"

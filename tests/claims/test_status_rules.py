"""Rules v2 as a table of cases: the v1 cases that still hold, then the v2 ones."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.status_rules import (
    AWAITING_VERIFICATION,
    MIN_COUNTED_RATING,
    RULES,
    RULES_VERSION,
    ClaimKind,
    ClaimStatus,
    EvidenceFacts,
    LeftOut,
    compute_status,
    left_out,
)


def fact(pmid, stance="supports", level="animal", *, retracted=False, **kw):
    extra = {k: kw.pop(k) for k in ("rating", "paper", "label") if k in kw}
    return EvidenceFacts(
        pmid=pmid,
        stance=stance,
        level=level,
        retracted=retracted,
        context=kw,
        **extra,
    )


def immune(pmid, stance, status):
    return fact(pmid, stance, immune_status=status)


# (name, evidence, kind, status, rule)
V1_CASES = [
    ("no evidence", [], ClaimStatus.INSUFFICIENT, "R1"),
    (
        "only reviews",
        [fact(1, level="review"), fact(2, level="review")],
        ClaimStatus.INSUFFICIENT,
        "R1",
    ),
    ("only qualifying", [fact(1, stance="qualifies")], ClaimStatus.INSUFFICIENT, "R1"),
    ("one in vivo paper", [fact(1)], ClaimStatus.SUPPORTED, "R6"),
    (
        "three papers but all in vitro",
        [fact(n, level="in_vitro") for n in (1, 2, 3)],
        ClaimStatus.SUPPORTED,
        "R6",
    ),
    (
        "three records from two papers",
        [fact(1), fact(1, level="in_vitro"), fact(2)],
        ClaimStatus.SUPPORTED,
        "R6",
    ),
    (
        "three papers, one in vivo",
        [fact(1), fact(2, level="in_vitro"), fact(3, level="in_vitro")],
        ClaimStatus.ESTABLISHED,
        "R5",
    ),
    ("refuted only", [fact(1, stance="refutes")], ClaimStatus.REFUTED, "R2"),
    (
        "refuted, supported only by a review",
        [fact(1, stance="refutes"), fact(2, level="review")],
        ClaimStatus.REFUTED,
        "R2",
    ),
    (
        "both sides, nothing separates",
        [
            fact(1, delivery="co_injection"),
            fact(2, stance="refutes", delivery="co_injection"),
        ],
        ClaimStatus.CONTESTED,
        "R4",
    ),
    (
        "a facet unknown on one side does not separate",
        [fact(1, delivery="co_injection"), fact(2, stance="refutes")],
        ClaimStatus.CONTESTED,
        "R4",
    ),
    (
        "a retracted refuting paper does not count",
        [fact(1), fact(2, stance="refutes", retracted=True)],
        ClaimStatus.SUPPORTED,
        "R6",
    ),
    (
        "a retracted sole support leaves nothing",
        [fact(1, retracted=True)],
        ClaimStatus.INSUFFICIENT,
        "R1",
    ),
]

V2_CASES = [
    (
        "delivery separates two papers a side completely",
        [
            fact(1, delivery="co_injection"),
            fact(2, delivery="co_injection"),
            fact(3, stance="refutes", delivery="systemic"),
            fact(4, stance="refutes", delivery="systemic"),
        ],
        ClaimStatus.CONTEXT_DEPENDENT,
        "R3",
    ),
    (
        "one paper on a side is too few to separate (v1 said R3)",
        [
            fact(1, delivery="co_injection"),
            fact(2, delivery="co_injection"),
            fact(3, stance="refutes", delivery="systemic"),
        ],
        ClaimStatus.CONTESTED,
        "R4",
    ),
    (
        "level once separated one in vitro paper from one in vivo (v1 said R3)",
        [fact(1, level="in_vitro"), fact(2, stance="refutes", level="animal")],
        ClaimStatus.CONTESTED,
        "R4",
    ),
    (
        "immune status mostly separates: 6 of 7 papers (v1 said R4)",
        [immune(n, "supports", "immunodeficient") for n in (1, 2, 3, 4)]
        + [immune(5, "refutes", "immunocompetent")]
        + [immune(6, "refutes", "immunocompetent")]
        + [immune(7, "refutes", "immunodeficient")],
        ClaimStatus.CONTEXT_DEPENDENT,
        "R3",
    ),
    (
        "a split of 5 of 7 papers falls short",
        [immune(n, "supports", "immunodeficient") for n in (1, 2, 3)]
        + [immune(4, "supports", "immunocompetent")]
        + [immune(5, "refutes", "immunocompetent")]
        + [immune(6, "refutes", "immunocompetent")]
        + [immune(7, "refutes", "immunodeficient")],
        ClaimStatus.CONTESTED,
        "R4",
    ),
    (
        "a low-rated sole support does not count",
        [fact(1, level="in_vitro", rating=2)],
        ClaimStatus.INSUFFICIENT,
        "R1",
    ),
    (
        "a paper PubMed has not returned does not count",
        [fact(1, paper=LeftOut.NOT_FETCHED)],
        ClaimStatus.INSUFFICIENT,
        "R1",
    ),
    (
        "a paper whose title PubMed contradicts does not count",
        [fact(1), fact(2, stance="refutes", paper=LeftOut.TITLE_MISMATCH)],
        ClaimStatus.SUPPORTED,
        "R6",
    ),
    (
        "a PMID PubMed no longer returns does not count",
        [fact(1, stance="refutes", paper=LeftOut.MISSING)],
        ClaimStatus.INSUFFICIENT,
        "R1",
    ),
]


@pytest.mark.parametrize(
    ("evidence", "status", "rule"),
    [case[1:] for case in V1_CASES + V2_CASES],
    ids=[case[0] for case in V1_CASES + V2_CASES],
)
def test_status_rules_table(evidence, status, rule):
    verdict = compute_status(evidence)

    assert (verdict.status, verdict.rule) == (status, rule)
    assert verdict.rules_version == RULES_VERSION == "2.0"
    assert verdict.reason


KIND_CASES = [
    (
        "a counterexample qualifies an existential claim",
        ClaimKind.EXISTENTIAL,
        [fact(1), fact(2), fact(3), fact(4, stance="refutes")],
        ClaimStatus.ESTABLISHED,
        "R5",
    ),
    (
        "counterexamples alone leave an existential claim insufficient",
        ClaimKind.EXISTENTIAL,
        [fact(1, stance="refutes")],
        ClaimStatus.INSUFFICIENT,
        "R1",
    ),
    (
        "the same evidence contests an empirical claim",
        ClaimKind.EMPIRICAL,
        [fact(1), fact(2), fact(3), fact(4, stance="refutes")],
        ClaimStatus.CONTESTED,
        "R4",
    ),
    (
        "a recommendation is not assessed, whatever its evidence",
        ClaimKind.RECOMMENDATION,
        [fact(1), fact(2), fact(3)],
        ClaimStatus.NOT_ASSESSED,
        "R0",
    ),
    (
        "a definition is not assessed",
        ClaimKind.DEFINITION,
        [fact(1, stance="refutes")],
        ClaimStatus.NOT_ASSESSED,
        "R0",
    ),
    (
        "a background claim is judged like an empirical one",
        ClaimKind.BACKGROUND,
        [fact(1), fact(2), fact(3)],
        ClaimStatus.ESTABLISHED,
        "R5",
    ),
]


@pytest.mark.parametrize(
    ("kind", "evidence", "status", "rule"),
    [case[1:] for case in KIND_CASES],
    ids=[case[0] for case in KIND_CASES],
)
def test_claim_kinds_table(kind, evidence, status, rule):
    verdict = compute_status(evidence, kind=kind)

    assert (verdict.status, verdict.rule) == (status, rule)


def test_a_recommendation_says_it_is_not_assessed():
    verdict = compute_status([fact(1)], kind=ClaimKind.RECOMMENDATION)

    assert verdict.reason.startswith("Not assessed: a recommendation")


def test_context_dependent_states_the_split_and_names_the_exceptions():
    evidence = [
        fact(n, immune_status="immunodeficient", label=f"Pro {n}") for n in (1, 2, 3)
    ]
    evidence += [
        fact(4, "refutes", immune_status="immunocompetent", label="Con 4"),
        fact(5, "refutes", immune_status="immunocompetent", label="Con 5"),
        fact(6, "refutes", immune_status="immunocompetent", label="Con 6"),
        fact(7, "refutes", immune_status="immunocompetent", label="Con 7"),
        fact(8, "refutes", immune_status="immunodeficient", label="Con 8"),
    ]

    verdict = compute_status(evidence)

    assert verdict.rule == "R3"
    split = verdict.separation
    assert (split.facet, split.separated, split.total) == ("immune_status", 7, 8)
    assert split.supporting == {"immunodeficient": 3}
    assert split.refuting == {"immunocompetent": 4}
    assert [(x.label, x.stance) for x in split.exceptions] == [("Con 8", "refutes")]
    assert "immune status separates 7 of 8 papers" in verdict.reason
    assert "exceptions: Con 8 (refutes, immunodeficient)" in verdict.reason


def test_a_split_that_falls_short_is_described_with_its_numbers():
    evidence = [fact(1, delivery="co_injection"), fact(2, delivery="co_injection")]
    evidence.append(fact(3, "refutes", delivery="systemic"))

    verdict = compute_status(evidence)

    assert verdict.rule == "R4"
    assert "delivery separates 3 of 3 papers" in verdict.reason
    assert "falls short of R3" in verdict.reason


def test_a_paper_unreported_on_the_facet_is_an_exception():
    evidence = [fact(n, delivery="co_injection") for n in (1, 2, 3, 4)]
    evidence += [fact(n, "refutes", delivery="systemic") for n in (5, 6, 7, 8)]
    evidence.append(fact(9, "refutes", label="Quiet 2001"))

    verdict = compute_status(evidence)

    assert verdict.rule == "R3"
    assert (verdict.separation.separated, verdict.separation.total) == (8, 9)
    assert "Quiet 2001 (refutes, not reported)" in verdict.reason


def test_a_multi_valued_facet_separates_when_all_its_values_are_on_one_side():
    evidence = [fact(1, cancer_type=("glioma",)), fact(2, cancer_type=("glioma",))]
    evidence += [
        fact(3, "refutes", cancer_type=("melanoma", "breast-carcinoma")),
        fact(4, "refutes", cancer_type=("melanoma",)),
    ]

    verdict = compute_status(evidence)

    assert verdict.rule == "R3"
    assert verdict.separation.facet == "cancer_type"
    assert verdict.separation.refuting == {"melanoma": 2, "breast-carcinoma": 1}


def test_strength_counts_papers_in_vivo_human_and_mean_rating():
    verdict = compute_status(
        [
            fact(1, level="in_vitro", rating=3),
            fact(1, level="animal", rating=5),
            fact(2, level="clinical", rating=4),
            fact(3, "qualifies", level="human_samples", rating=4),
            fact(4, level="in_vitro", rating=1),
        ]
    )

    s = verdict.strength
    assert (s.papers, s.supporting, s.refuting, s.qualifying) == (3, 2, 0, 1)
    assert (s.in_vivo, s.human, s.mean_rating, s.thin) == (3, 2, 4.0, False)


@pytest.mark.parametrize(
    ("evidence", "thin"),
    [
        ([fact(1)], True),
        ([fact(1, level="in_vitro"), fact(2, level="in_vitro")], True),
        ([fact(1, level="in_vitro"), fact(2)], False),
        ([fact(1, "refutes")], True),
        ([], False),
    ],
    ids=[
        "one paper",
        "in vitro alone",
        "two papers, one in vivo",
        "one refuting",
        "none",
    ],
)
def test_thin_evidence_marks_one_paper_or_in_vitro_alone(evidence, thin):
    assert compute_status(evidence).strength.thin is thin


def test_the_reason_says_how_many_records_were_left_out_and_why():
    verdict = compute_status(
        [
            fact(1),
            fact(2, paper=LeftOut.NOT_FETCHED),
            fact(3, paper=LeftOut.NOT_FETCHED),
            fact(4, level="review"),
            fact(5, rating=MIN_COUNTED_RATING - 1),
        ]
    )

    assert verdict.left_out == {"not_fetched": 2, "review": 1, "low_rating": 1}
    assert "4 records not counted" in verdict.reason
    assert "2 awaiting verification: not yet fetched from PubMed" in verdict.reason


def test_reasons_agree_in_number():
    one = compute_status([fact(1), fact(2, stance="refutes")])
    many = compute_status([fact(1), fact(2), fact(3, stance="refutes")])

    assert one.reason.startswith("1 paper supports and 1 paper refutes")
    assert many.reason.startswith("2 papers support and 1 paper refutes")


def test_supported_reason_says_what_established_would_need():
    verdict = compute_status([fact(1, level="in_vitro")])

    assert "3 supporting papers" in verdict.reason
    assert "in vivo" in verdict.reason


def test_every_status_has_one_published_rule():
    assert sorted(r.status for r in RULES) == sorted(ClaimStatus)
    assert len({r.code for r in RULES}) == len(RULES)


facts = st.builds(
    fact,
    st.integers(1, 6),
    st.sampled_from(["supports", "refutes", "qualifies"]),
    st.sampled_from(["in_vitro", "animal", "human_samples", "clinical", "review"]),
    retracted=st.booleans(),
    rating=st.integers(1, 5),
    paper=st.sampled_from(["", *sorted(AWAITING_VERIFICATION)]),
    delivery=st.sampled_from(["", "co_injection", "systemic"]),
    immune_status=st.sampled_from(["", "immunodeficient", "immunocompetent"]),
)


@given(st.lists(facts, max_size=12), st.sampled_from(ClaimKind))
def test_counted_papers_and_left_out_records_add_up(evidence, kind):
    verdict = compute_status(evidence, kind=kind)

    counted = [f for f in evidence if left_out(f) is None]
    assert verdict.strength.papers == len({f.pmid for f in counted})
    assert sum(verdict.left_out.values()) == len(evidence) - len(counted)
    s = verdict.strength
    assert max(s.supporting, s.refuting, s.qualifying) <= s.papers
    assert s.in_vivo <= s.papers
    assert s.human <= s.in_vivo


@given(st.lists(facts, max_size=12))
def test_records_left_out_never_change_the_verdict(evidence):
    kept = [f for f in evidence if left_out(f) is None]

    assert compute_status(kept).status == compute_status(evidence).status

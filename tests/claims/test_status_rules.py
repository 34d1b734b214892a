import pytest

from claims.status_rules import (
    RULES_VERSION,
    ClaimStatus,
    EvidenceFacts,
    compute_status,
)


def fact(pmid, stance="supports", level="animal", retracted=False, **context):
    return EvidenceFacts(
        pmid=pmid, stance=stance, level=level, retracted=retracted, context=context
    )


CASES = [
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
        [
            fact(1, level="in_vitro"),
            fact(2, level="in_vitro"),
            fact(3, level="in_vitro"),
        ],
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
        "both sides, delivery separates",
        [
            fact(1, delivery="co_injection"),
            fact(2, delivery="co_injection"),
            fact(3, stance="refutes", delivery="systemic"),
        ],
        ClaimStatus.CONTEXT_DEPENDENT,
        "R3",
    ),
    (
        "a facet unknown on one side does not separate",
        [fact(1, delivery="co_injection"), fact(2, stance="refutes")],
        ClaimStatus.CONTESTED,
        "R4",
    ),
    (
        "level separates in vitro from in vivo",
        [fact(1, level="in_vitro"), fact(2, stance="refutes", level="animal")],
        ClaimStatus.CONTEXT_DEPENDENT,
        "R3",
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


@pytest.mark.parametrize(
    ("evidence", "status", "rule"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_status_rules_table(evidence, status, rule):
    verdict = compute_status(evidence)

    assert (verdict.status, verdict.rule) == (status, rule)
    assert verdict.rules_version == RULES_VERSION
    assert verdict.reason


def test_context_dependent_names_the_separating_facet_with_tallies():
    verdict = compute_status(
        [
            fact(1, delivery="co_injection", immune_status="immunodeficient"),
            fact(2, delivery="co_injection", immune_status="immunodeficient"),
            fact(
                3,
                stance="refutes",
                delivery="systemic",
                immune_status="immunodeficient",
            ),
        ]
    )

    assert [s.facet for s in verdict.separations] == ["delivery"]
    assert verdict.separations[0].supporting == {"co_injection": 2}
    assert verdict.separations[0].refuting == {"systemic": 1}
    assert "delivery separates them" in verdict.reason
    assert "co injection (2)" in verdict.reason


def test_supported_reason_says_what_established_would_need():
    verdict = compute_status([fact(1, level="in_vitro")])

    assert "3 supporting papers" in verdict.reason
    assert "in vivo" in verdict.reason


def test_reasons_agree_in_number():
    one = compute_status([fact(1), fact(2, stance="refutes")])
    many = compute_status([fact(1), fact(2), fact(3, stance="refutes")])

    assert one.reason.startswith("1 paper supports and 1 paper refutes")
    assert many.reason.startswith("2 papers support and 1 paper refutes")

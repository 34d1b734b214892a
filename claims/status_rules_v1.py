"""Claim status rules v1, frozen: kept only so that `manage.py status_rules_report`
can show what rules v2 (claims.status_rules) changed for each claim.

Rules v1 (applied in order, first match wins), over accepted evidence on papers
that are not retracted, counting distinct papers (PMIDs), not records:

  R1 Insufficient       no primary (non-review) paper supports or refutes the claim
  R2 Refuted            primary papers refute it and none supports it
  R3 Context-dependent  papers on both sides, and one context facet separates them:
                        the facet is reported on every primary record of both sides
                        and no value occurs on both sides
  R4 Contested          papers on both sides and no facet separates them
  R5 Established        at least 3 primary papers support it, at least one of them
                        in vivo (animal, human samples or clinical), none refutes it
  R6 Supported          primary papers support it, none refutes it, R5 not met
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from claims.status_rules import ClaimStatus, papers

RULES_VERSION = "1.0"

ESTABLISHED_MIN_PAPERS = 3
IN_VIVO_LEVELS = frozenset({"animal", "human_samples", "clinical"})
REVIEW_LEVEL = "review"
SEPARATING_FACETS = (
    "delivery",
    "immune_status",
    "model",
    "msc_source",
    "species",
    "level",
    "cancer_type",
)


@dataclass(frozen=True)
class EvidenceFacts:
    """What the rules need to know about one evidence record."""

    pmid: int
    stance: str
    level: str
    retracted: bool = False
    context: Mapping[str, str] = field(default_factory=dict)

    def facet(self, name: str) -> str:
        return self.level if name == "level" else self.context.get(name, "")


@dataclass(frozen=True)
class Separation:
    """A context facet whose values differ completely between the two sides."""

    facet: str
    supporting: dict[str, int]
    refuting: dict[str, int]

    def describe(self) -> str:
        return (
            f"{self.facet.replace('_', ' ')} separates them: supporting "
            f"{_tally(self.supporting)}; refuting {_tally(self.refuting)}"
        )


@dataclass(frozen=True)
class Verdict:
    status: ClaimStatus
    rule: str
    reason: str
    separations: tuple[Separation, ...] = ()
    rules_version: str = RULES_VERSION


def _tally(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{value.replace('_', ' ')} ({n})" for value, n in counts.items())


def find_separations(
    supporting: list[EvidenceFacts], refuting: list[EvidenceFacts]
) -> tuple[Separation, ...]:
    """Facets reported on every record of both sides, with no value shared."""
    found = []
    for facet in SEPARATING_FACETS:
        pro = Counter(e.facet(facet) for e in supporting)
        con = Counter(e.facet(facet) for e in refuting)
        if "" in pro or "" in con or set(pro) & set(con):
            continue
        found.append(Separation(facet, dict(pro), dict(con)))
    return tuple(found)


def compute_status(evidence: Iterable[EvidenceFacts]) -> Verdict:
    """Apply rules v1 to a claim's accepted evidence."""
    counted = [e for e in evidence if not e.retracted and e.level != REVIEW_LEVEL]
    supporting = [e for e in counted if e.stance == "supports"]
    refuting = [e for e in counted if e.stance == "refutes"]
    pro_papers = {e.pmid for e in supporting}
    con_papers = {e.pmid for e in refuting}
    n_pro, n_con = len(pro_papers), len(con_papers)

    if not n_pro and not n_con:
        return Verdict(
            ClaimStatus.INSUFFICIENT,
            "R1",
            "No primary paper supports or refutes this claim yet.",
        )
    if not n_pro:
        return Verdict(
            ClaimStatus.REFUTED,
            "R2",
            f"{papers(n_con, 'refute')} this claim and none supports it.",
        )
    if n_con:
        both = f"{papers(n_pro, 'support')} and {papers(n_con, 'refute')} this claim"
        separations = find_separations(supporting, refuting)
        if separations:
            return Verdict(
                ClaimStatus.CONTEXT_DEPENDENT,
                "R3",
                f"{both}; {separations[0].describe()}.",
                separations,
            )
        return Verdict(
            ClaimStatus.CONTESTED,
            "R4",
            f"{both}, and no reported context separates the two sides.",
        )
    in_vivo = {e.pmid for e in supporting if e.level in IN_VIVO_LEVELS}
    if n_pro >= ESTABLISHED_MIN_PAPERS and in_vivo:
        return Verdict(
            ClaimStatus.ESTABLISHED,
            "R5",
            f"{papers(n_pro, 'support')} this claim ({len(in_vivo)} in vivo) "
            "and none refutes it.",
        )
    missing = []
    if n_pro < ESTABLISHED_MIN_PAPERS:
        missing.append(f"{ESTABLISHED_MIN_PAPERS} supporting papers")
    if not in_vivo:
        missing.append("an in vivo study")
    return Verdict(
        ClaimStatus.SUPPORTED,
        "R6",
        f"{papers(n_pro, 'support')} this claim and none refutes it; "
        f"Established would need {' and '.join(missing)}.",
    )

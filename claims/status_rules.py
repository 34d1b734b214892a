"""Claim status rules v2: a pure function from a claim's evidence to its verdict.

The rules are data: RULES, the thresholds, RATING_RUBRIC, CLAIM_KINDS and the
reasons a record is LEFT_OUT are what the methods page renders and what
compute_status applies, so the published rules and the statuses cannot drift
apart. Change RULES_VERSION whenever any of them changes.

One counting unit, the distinct paper (PMID): a claim's status, its reason, its
strength, the charts and the disagreement panel all count papers, and a paper
with several findings on one side counts once there. A record counts only when
`left_out()` finds no reason to leave it out.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from statistics import mean

from django.db import models

from claims.facets import SEPARATING_FACETS

# Names a facet (value None) or one of its values, as a status reason says it.
Label = Callable[[str, str | None], str]

RULES_VERSION = "2.0"

ESTABLISHED_MIN_PAPERS = 3
MIN_COUNTED_RATING = 3
# Context-dependent: one facet puts at least this share of the papers of both
# sides on opposite values, with at least this many papers on each side.
SEPARATION_MIN_SHARE = 0.8
SEPARATION_MIN_PAPERS_PER_SIDE = 2
IN_VIVO_LEVELS = frozenset({"animal", "human_samples", "clinical"})
HUMAN_LEVELS = frozenset({"human_samples", "clinical"})
REVIEW_LEVEL = "review"
SUPPORTS, REFUTES, QUALIFIES = "supports", "refutes", "qualifies"


class ClaimStatus(models.TextChoices):
    ESTABLISHED = "established", "Established"
    SUPPORTED = "supported", "Supported"
    CONTEXT_DEPENDENT = "context_dependent", "Context-dependent"
    CONTESTED = "contested", "Contested"
    REFUTED = "refuted", "Refuted"
    INSUFFICIENT = "insufficient", "Insufficient"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class ClaimKind(models.TextChoices):
    EMPIRICAL = "empirical", "Empirical"
    EXISTENTIAL = "existential", "Existential (“can”)"
    BACKGROUND = "background", "Background"
    RECOMMENDATION = "recommendation", "Recommendation"
    DEFINITION = "definition", "Definition"


# What each kind of claim means for its status, as the methods page says it.
CLAIM_KINDS = {
    ClaimKind.EMPIRICAL: "A claim about what MSC do. Evidence counts for and "
    "against it as the rules below say.",
    ClaimKind.EXISTENTIAL: "A claim that MSC can do something. One good example "
    "shows that they can, so a counterexample qualifies the claim instead of "
    "refuting it.",
    ClaimKind.BACKGROUND: "A claim the review rests on that is not about MSC "
    "themselves (for example, how myeloma destroys bone). Its status is computed "
    "like an empirical claim's, and pages show it apart from the MSC claims.",
    ClaimKind.RECOMMENDATION: "What the review advises. Evidence cannot make "
    "advice true or false: it is listed and no status is computed.",
    ClaimKind.DEFINITION: "What a term means. It is listed with its sources and "
    "no status is computed.",
}
UNASSESSED_KINDS = frozenset({ClaimKind.RECOMMENDATION, ClaimKind.DEFINITION})


class LeftOut(models.TextChoices):
    """Why an accepted record does not count, in the order the rules check."""

    RETRACTED = "retracted", "on a retracted paper"
    REVIEW = "review", "from a review article"
    NOT_FETCHED = "not_fetched", "awaiting verification: not yet fetched from PubMed"
    MISSING = "missing", "awaiting verification: PubMed no longer returns the PMID"
    TITLE_MISMATCH = (
        "title_mismatch",
        "awaiting verification: PubMed's title differs from the checked title",
    )
    LOW_RATING = "low_rating", f"rated below {MIN_COUNTED_RATING} of 5"


AWAITING_VERIFICATION = frozenset(
    {LeftOut.NOT_FETCHED, LeftOut.MISSING, LeftOut.TITLE_MISMATCH}
)


@dataclass(frozen=True)
class RubricLevel:
    rating: int
    name: str
    meaning: str

    @property
    def counted(self) -> bool:
        return self.rating >= MIN_COUNTED_RATING


RATING_RUBRIC = (
    RubricLevel(
        1, "Anecdotal", "A remark, a case or an observation with no comparison."
    ),
    RubricLevel(
        2,
        "Indirect",
        "An endpoint that stands in for the claim (a marker, a surrogate assay), "
        "or a design without a proper control.",
    ),
    RubricLevel(
        3,
        "Direct",
        "A controlled experiment in one model whose endpoint tests the claim.",
    ),
    RubricLevel(
        4,
        "Strong",
        "A controlled experiment with a mechanism, a dose response, or more than "
        "one model.",
    ),
    RubricLevel(
        5,
        "Conclusive",
        "Independent replication, several in vivo models, or clinical data.",
    ),
)


@dataclass(frozen=True)
class Rule:
    code: str
    status: ClaimStatus
    when: str


RULES = (
    Rule(
        "R0",
        ClaimStatus.NOT_ASSESSED,
        "the claim is a recommendation or a definition: its sources are listed and "
        "no status is computed",
    ),
    Rule(
        "R1",
        ClaimStatus.INSUFFICIENT,
        "no counted paper supports or refutes the claim",
    ),
    Rule(
        "R2",
        ClaimStatus.REFUTED,
        "counted papers refute the claim and none supports it",
    ),
    Rule(
        "R3",
        ClaimStatus.CONTEXT_DEPENDENT,
        f"papers on both sides, at least {SEPARATION_MIN_PAPERS_PER_SIDE} on each, "
        f"and one context facet puts at least {SEPARATION_MIN_SHARE:.0%} of all "
        "of them on values that belong to their own side",
    ),
    Rule(
        "R4",
        ClaimStatus.CONTESTED,
        "papers on both sides, and no context facet separates them as R3 asks",
    ),
    Rule(
        "R5",
        ClaimStatus.ESTABLISHED,
        f"at least {ESTABLISHED_MIN_PAPERS} counted papers support the claim, at "
        "least one of them in vivo, and none refutes it",
    ),
    Rule(
        "R6",
        ClaimStatus.SUPPORTED,
        "counted papers support the claim, none refutes it, and R5 is not met",
    ),
)
RULE_STATUS = {rule.code: rule.status for rule in RULES}


@dataclass(frozen=True)
class EvidenceFacts:
    """What the rules need to know about one accepted evidence record.

    `paper` is whether PubMed confirmed the record's paper: a LeftOut value of
    the verification kind, or "" once confirmed. `label` names the paper in
    reasons ("Otsu 2009").
    """

    pmid: int
    stance: str
    level: str
    rating: int = MIN_COUNTED_RATING
    retracted: bool = False
    paper: str = ""
    # A facet's value, "" where not reported, or several for a multi-valued one.
    context: Mapping[str, str | Iterable[str]] = field(default_factory=dict)
    label: str = ""

    def values(self, name: str) -> frozenset[str]:
        """The values the record reports for a facet; empty if none."""
        value = self.level if name == "level" else self.context.get(name, "")
        found = {value} if isinstance(value, str) else set(value)
        return frozenset(found - {""})


def left_out(fact: EvidenceFacts) -> LeftOut | None:
    """Why a record does not count toward its claim's status, or None if it does."""
    if fact.retracted:
        return LeftOut.RETRACTED
    if fact.level == REVIEW_LEVEL:
        return LeftOut.REVIEW
    if fact.paper:
        return LeftOut(fact.paper)
    if fact.rating < MIN_COUNTED_RATING:
        return LeftOut.LOW_RATING
    return None


@dataclass(frozen=True)
class Strength:
    """How much counted evidence there is, beside which way it points."""

    papers: int = 0
    supporting: int = 0
    refuting: int = 0
    qualifying: int = 0
    in_vivo: int = 0
    human: int = 0
    mean_rating: float | None = None
    thin: bool = False


@dataclass(frozen=True)
class Outlier:
    """A paper on the wrong side of a separation, or without the facet."""

    label: str
    stance: str
    value: str


@dataclass(frozen=True)
class Separation:
    """A context facet that puts most papers of each side on its own values."""

    facet: str
    separated: int
    total: int
    supporting: dict[str, int]  # values of the supporting side -> its papers there
    refuting: dict[str, int]
    n_supporting: int
    n_refuting: int
    exceptions: tuple[Outlier, ...] = ()

    @property
    def share(self) -> float:
        return self.separated / self.total if self.total else 0.0

    def describe(self, label: Label) -> str:
        """'host immune status separates 6 of 7 papers: supporting ...'."""
        name = label(self.facet, None)
        sup = _side(self.supporting, self.n_supporting, self.facet, label)
        ref = _side(self.refuting, self.n_refuting, self.facet, label)
        text = (
            f"{name} separates {self.separated} of {self.total} papers: supporting "
            f"{sup}; refuting {ref}"
        )
        if self.exceptions:
            names = ", ".join(
                f"{e.label} ({e.stance}, {label(self.facet, e.value)})"
                for e in self.exceptions
            )
            text += f"; exceptions: {names}"
        return text


@dataclass(frozen=True)
class Verdict:
    status: ClaimStatus
    rule: str
    reason: str
    strength: Strength = Strength()
    separation: Separation | None = None
    left_out: Mapping[str, int] = field(default_factory=dict)  # LeftOut -> records
    rules_version: str = RULES_VERSION

    def stored(self) -> dict[str, object]:
        """The verdict as the claim's stored fields."""
        s = self.strength
        return {
            "status": self.status.value,
            "status_rule": self.rule,
            "status_reason": self.reason,
            "status_rules_version": self.rules_version,
            "n_papers": s.papers,
            "n_supporting": s.supporting,
            "n_refuting": s.refuting,
            "n_qualifying": s.qualifying,
            "n_in_vivo": s.in_vivo,
            "n_human": s.human,
            "mean_rating": s.mean_rating,
            "thin_evidence": s.thin,
            "left_out": dict(sorted(self.left_out.items())),
        }


def plain_label(facet: str, value: str | None = None) -> str:
    """A facet's name (no value) or a value's code as words: the default."""
    text = facet if value is None else value or "not reported"
    return text.replace("_", " ")


def _side(values: dict[str, int], total: int, facet: str, label: Label) -> str:
    return ", ".join(f"{label(facet, v)} ({n} of {total})" for v, n in values.items())


def papers(count: int, verb: str = "") -> str:
    """'1 paper supports', '2 papers support' (rules v1 words it so too)."""
    noun = "paper" if count == 1 else "papers"
    if verb and count == 1:
        verb += "s"
    return f"{count} {noun} {verb}".rstrip()


def _paper_values(facts: list[EvidenceFacts], facet: str) -> dict[int, frozenset]:
    """Each paper's reported values of a facet among its records on one side."""
    values: dict[int, set[str]] = {fact.pmid: set() for fact in facts}
    for fact in facts:
        values[fact.pmid] |= fact.values(facet)
    return {pmid: frozenset(found) for pmid, found in values.items()}


def separation_of(
    facet: str, supporting: list[EvidenceFacts], refuting: list[EvidenceFacts]
) -> Separation | None:
    """How well one facet separates the papers of the two sides.

    Each value belongs to the side with the larger share of its papers there; a
    paper is separated when all its values belong to its own side. Papers that
    do not report the facet, or sit on the other side's values, are exceptions.
    None when no value belongs to one of the sides.
    """
    pro, con = _paper_values(supporting, facet), _paper_values(refuting, facet)
    pro_n: Counter[str] = Counter()
    con_n: Counter[str] = Counter()
    for found in pro.values():
        pro_n.update(found)
    for found in con.values():
        con_n.update(found)
    side = {}
    for value in pro_n.keys() | con_n.keys():
        a, b = pro_n[value] / len(pro), con_n[value] / len(con)
        if a != b:
            side[value] = SUPPORTS if a > b else REFUTES
    own_pro = {v: pro_n[v] for v in sorted(pro_n, key=lambda v: -pro_n[v])}
    own_con = {v: con_n[v] for v in sorted(con_n, key=lambda v: -con_n[v])}
    own_pro = {v: n for v, n in own_pro.items() if side.get(v) == SUPPORTS}
    own_con = {v: n for v, n in own_con.items() if side.get(v) == REFUTES}
    if not own_pro or not own_con:
        return None
    labels = _labels(supporting + refuting)
    exceptions = []
    for stance, papers in ((SUPPORTS, pro), (REFUTES, con)):
        for pmid, found in sorted(papers.items()):
            if not found or any(side.get(v) != stance for v in found):
                value = ", ".join(sorted(found))
                exceptions.append(Outlier(labels[pmid], stance, value))
    total = len(pro) + len(con)
    return Separation(
        facet,
        total - len(exceptions),
        total,
        own_pro,
        own_con,
        len(pro),
        len(con),
        tuple(exceptions),
    )


def best_separation(
    supporting: list[EvidenceFacts], refuting: list[EvidenceFacts]
) -> Separation | None:
    """The facet that separates the two sides best (earliest facet on a tie)."""
    found = [
        s
        for facet in SEPARATING_FACETS
        if (s := separation_of(facet, supporting, refuting))
    ]
    return max(found, key=lambda s: s.share, default=None)


def _labels(facts: Iterable[EvidenceFacts]) -> dict[int, str]:
    return {f.pmid: f.label or f"PMID {f.pmid}" for f in facts}


def _strength(counted: list[EvidenceFacts], deciding: set[int]) -> Strength:
    papers = {f.pmid for f in counted}
    by_stance = {
        stance: {f.pmid for f in counted if f.stance == stance}
        for stance in (SUPPORTS, REFUTES, QUALIFIES)
    }
    in_vivo = {f.pmid for f in counted if f.level in IN_VIVO_LEVELS}
    human = {f.pmid for f in counted if f.level in HUMAN_LEVELS}
    thin = bool(deciding) and (len(deciding) == 1 or not in_vivo & deciding)
    return Strength(
        papers=len(papers),
        supporting=len(by_stance[SUPPORTS]),
        refuting=len(by_stance[REFUTES]),
        qualifying=len(by_stance[QUALIFIES]),
        in_vivo=len(in_vivo),
        human=len(human),
        mean_rating=round(mean(f.rating for f in counted), 1) if counted else None,
        thin=thin,
    )


def _left_out_text(left: Mapping[str, int]) -> str:
    if not left:
        return ""
    total = sum(left.values())
    parts = ", ".join(f"{n} {LeftOut(why).label}" for why, n in left.items())
    return f" {total} record{'s' if total != 1 else ''} not counted: {parts}."


def compute_status(
    evidence: Iterable[EvidenceFacts],
    *,
    kind: str = ClaimKind.EMPIRICAL,
    label: Label = plain_label,
) -> Verdict:
    """Apply rules v2 to a claim's accepted evidence."""
    facts = list(evidence)
    left = Counter(str(why) for f in facts if (why := left_out(f)))
    counted = [f for f in facts if left_out(f) is None]
    if kind == ClaimKind.EXISTENTIAL:
        # A counterexample cannot refute "can": it qualifies the claim.
        counted = [f if f.stance != REFUTES else _as(f, QUALIFIES) for f in counted]
    supporting = [f for f in counted if f.stance == SUPPORTS]
    refuting = [f for f in counted if f.stance == REFUTES]
    n_pro = len({f.pmid for f in supporting})
    n_con = len({f.pmid for f in refuting})
    deciding = {f.pmid for f in supporting + refuting}
    strength = _strength(counted, deciding)
    rule, text, separation = _decide(kind, supporting, refuting, n_pro, n_con, label)
    return Verdict(
        RULE_STATUS[rule],
        rule,
        text + _left_out_text(dict(sorted(left.items()))),
        strength,
        separation,
        dict(left),
    )


def _as(fact: EvidenceFacts, stance: str) -> EvidenceFacts:
    return EvidenceFacts(**{**fact.__dict__, "stance": stance})


def _decide(
    kind: str,
    supporting: list[EvidenceFacts],
    refuting: list[EvidenceFacts],
    n_pro: int,
    n_con: int,
    label: Label,
) -> tuple[str, str, Separation | None]:
    """The first rule that matches: (code, reason, separation)."""
    if kind in UNASSESSED_KINDS:
        what = ClaimKind(kind).label.lower()
        return "R0", f"Not assessed: a {what}, which evidence cannot settle.", None
    if not n_pro and not n_con:
        return "R1", "No counted paper supports or refutes this claim yet.", None
    if not n_pro:
        return (
            "R2",
            f"{papers(n_con, 'refute')} this claim and none supports it.",
            None,
        )
    if n_con:
        both = f"{papers(n_pro, 'support')} and {papers(n_con, 'refute')} this claim"
        separation = best_separation(supporting, refuting)
        enough = min(n_pro, n_con) >= SEPARATION_MIN_PAPERS_PER_SIDE
        if separation and enough and separation.share >= SEPARATION_MIN_SHARE:
            return "R3", f"{both}; {separation.describe(label)}.", separation
        if separation:
            return (
                "R4",
                f"{both}; {separation.describe(label)}. That falls short of R3, "
                f"which needs {SEPARATION_MIN_SHARE:.0%} of the papers and "
                f"{SEPARATION_MIN_PAPERS_PER_SIDE} on each side.",
                separation,
            )
        return "R4", f"{both}, and no reported context separates the two sides.", None
    in_vivo = {f.pmid for f in supporting if f.level in IN_VIVO_LEVELS}
    if n_pro >= ESTABLISHED_MIN_PAPERS and in_vivo:
        return (
            "R5",
            f"{papers(n_pro, 'support')} this claim ({len(in_vivo)} in vivo) and "
            "none refutes it.",
            None,
        )
    missing = []
    if n_pro < ESTABLISHED_MIN_PAPERS:
        missing.append(f"{ESTABLISHED_MIN_PAPERS} supporting papers")
    if not in_vivo:
        missing.append("an in vivo study")
    return (
        "R6",
        f"{papers(n_pro, 'support')} this claim and none refutes it; Established "
        f"would need {' and '.join(missing)}.",
        None,
    )

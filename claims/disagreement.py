"""Why studies disagree: how the context of supporting and refuting findings differs.

Pure functions over a claim's evidence records (no queries). They count the same
findings the status rules count (accepted, primary, on papers not retracted) and
use the rules' own `find_separations`, so the panel and the status never disagree
about which facet separates the two sides.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from claims.models import Evidence
from claims.services import evidence_facts
from claims.status_rules import REVIEW_LEVEL, SEPARATING_FACETS, find_separations

NOT_REPORTED = "not reported"


@dataclass(frozen=True)
class ValueCount:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SideTally:
    """How often each value of one facet occurs among one side's findings."""

    total: int
    values: tuple[ValueCount, ...]

    def describe(self) -> str:
        """'2 of 3 co-injection with tumor cells, 1 of 3 local injection'."""
        return ", ".join(f"{v.count} of {self.total} {v.label}" for v in self.values)


@dataclass(frozen=True)
class FacetComparison:
    """One context facet, tallied on each side."""

    facet: str
    label: str
    supporting: SideTally
    refuting: SideTally
    separates: bool

    @property
    def difference(self) -> float:
        """Share of findings that would have to change value for the sides to match
        (total variation distance): 0 identical, 1 no value in common."""
        pro, con = _shares(self.supporting), _shares(self.refuting)
        return sum(abs(pro.get(v, 0) - con.get(v, 0)) for v in pro | con) / 2


@dataclass(frozen=True)
class Disagreement:
    supporting_effects: SideTally
    refuting_effects: SideTally
    facets: tuple[FacetComparison, ...]

    @property
    def separating(self) -> tuple[FacetComparison, ...]:
        return tuple(f for f in self.facets if f.separates)


def counted(evidence: Iterable[Evidence]) -> list[Evidence]:
    """The findings the status rules count: accepted, primary, not retracted."""
    return [
        e
        for e in evidence
        if e.status == Evidence.Status.ACCEPTED
        and e.level != REVIEW_LEVEL
        and not e.publication.is_retracted
    ]


def facet_label(facet: str) -> str:
    """'MSC delivery', 'host immune status', 'cancer type'."""
    name = str(Evidence._meta.get_field(facet).verbose_name)
    return name if name[:3].isupper() else name.lower()


def value_label(facet: str, value: str) -> str:
    """The display label of a facet value; free-text values are shown as stored."""
    if not value:
        return NOT_REPORTED
    choices = dict(Evidence._meta.get_field(facet).flatchoices)
    return str(choices.get(value, value)).lower() if choices else value


def tally(records: Sequence[Evidence], facet: str) -> SideTally:
    """Count a facet's values, most common first and 'not reported' last."""
    counts = Counter(getattr(e, facet) for e in records)
    ordered = sorted(counts.items(), key=lambda item: (not item[0], -item[1], item[0]))
    return SideTally(
        total=len(records),
        values=tuple(ValueCount(v, value_label(facet, v), n) for v, n in ordered),
    )


def explain_disagreement(evidence: Iterable[Evidence]) -> Disagreement | None:
    """Compare the context of supporting and refuting findings, facet by facet.

    None unless both sides have findings. Facets are ordered separating first,
    then by how differently the two sides are distributed; a facet no finding
    reports is left out.
    """
    records = counted(evidence)
    pro = [e for e in records if e.stance == Evidence.Stance.SUPPORTS]
    con = [e for e in records if e.stance == Evidence.Stance.REFUTES]
    if not pro or not con:
        return None
    separating = {
        s.facet
        for s in find_separations(
            [evidence_facts(e) for e in pro], [evidence_facts(e) for e in con]
        )
    }
    facets = [
        FacetComparison(
            facet,
            facet_label(facet),
            tally(pro, facet),
            tally(con, facet),
            facet in separating,
        )
        for facet in SEPARATING_FACETS
        if any(getattr(e, facet) for e in pro + con)
    ]
    facets.sort(key=lambda f: (not f.separates, -f.difference))
    return Disagreement(tally(pro, "effect"), tally(con, "effect"), tuple(facets))


def _shares(side: SideTally) -> dict[str, float]:
    return {v.value: v.count / side.total for v in side.values}

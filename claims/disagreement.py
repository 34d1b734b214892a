"""Why studies disagree: how the context of supporting and refuting papers differs.

Pure functions over a claim's evidence records (no queries). They count what the
status rules count, distinct papers among the counted records
(claims.status_rules.left_out), and take the separating facet from the rules'
own verdict, so the panel and the status never disagree.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from claims.facets import TERM_FACETS
from claims.labels import facet_label, term_labels, value_label
from claims.models import Evidence
from claims.selectors import evidence_facts
from claims.status_rules import SEPARATING_FACETS, Separation, left_out


@dataclass(frozen=True)
class ValueCount:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SideTally:
    """How many of one side's papers report each value of one facet."""

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
        """Share of the papers reporting the facet that would have to change value
        for the sides to match (total variation distance): 0 identical, 1 no
        value in common. A side whose papers do not report the facet says nothing
        about it, so the difference is then 0, not 1."""
        pro, con = _shares(self.supporting), _shares(self.refuting)
        if not pro or not con:
            return 0.0
        return sum(abs(pro.get(v, 0) - con.get(v, 0)) for v in pro | con) / 2


@dataclass(frozen=True)
class Disagreement:
    supporting_effects: SideTally
    refuting_effects: SideTally
    facets: tuple[FacetComparison, ...]
    separation: Separation | None = None

    @property
    def separating(self) -> tuple[FacetComparison, ...]:
        return tuple(f for f in self.facets if f.separates)


def counted(evidence: Iterable[Evidence]) -> list[Evidence]:
    """The accepted records the status rules count."""
    return [
        e
        for e in evidence
        if e.status == Evidence.Status.ACCEPTED and left_out(evidence_facts(e)) is None
    ]


def tally(records: Sequence[Evidence], facet: str) -> SideTally:
    """How many papers report each value, most common first, 'not reported' last.

    A paper counts once for each value its records report (a multi-valued
    facet's several values each), and once as not reported only if none of them
    reports the facet.
    """
    values: dict[int, set[str]] = defaultdict(set)
    for record in records:
        values[record.publication.pmid] |= _values(record, facet)
    counts: dict[str, int] = defaultdict(int)
    for found in values.values():
        for value in found - {""} or {""}:
            counts[value] += 1
    ordered = sorted(counts.items(), key=lambda item: (not item[0], -item[1], item[0]))
    terms = term_labels(records) if facet in TERM_FACETS else None
    return SideTally(
        total=len(values),
        values=tuple(
            ValueCount(v, value_label(facet, v, terms=terms), n) for v, n in ordered
        ),
    )


def _values(record: Evidence, facet: str) -> set[str]:
    value = record.facet_value(facet)
    return {value} if isinstance(value, str) else set(value)


def explain_disagreement(
    evidence: Iterable[Evidence], separation: Separation | None = None
) -> Disagreement | None:
    """Compare the context of supporting and refuting papers, facet by facet.

    None unless both sides have counted papers. `separation` is the verdict's:
    its facet comes first, then the others by how differently the two sides are
    distributed; a facet no counted record reports is left out.
    """
    records = counted(evidence)
    pro = [e for e in records if e.stance == Evidence.Stance.SUPPORTS]
    con = [e for e in records if e.stance == Evidence.Stance.REFUTES]
    if not pro or not con:
        return None
    separating = separation.facet if separation else None
    facets = [
        FacetComparison(
            facet,
            facet_label(facet),
            tally(pro, facet),
            tally(con, facet),
            facet == separating,
        )
        for facet in SEPARATING_FACETS
        if any(e.facet_value(facet) for e in pro + con)
    ]
    facets.sort(key=lambda f: (not f.separates, -f.difference))
    return Disagreement(
        tally(pro, "effect"), tally(con, "effect"), tuple(facets), separation
    )


def _shares(side: SideTally) -> dict[str, float]:
    """Each reported value's share of the papers that report the facet."""
    unreported = sum(v.count for v in side.values if not v.value)
    reporting = side.total - unreported
    return {v.value: v.count / reporting for v in side.values if v.value}

"""The evidence-balance charts of a claim, drawn on the server as accessible SVG.

Each tag counts what the status rules count, distinct papers among the counted
records (claims.disagreement.counted), lays them out in SVG user units, and
renders a template that carries a <title>, a <desc> and the same numbers as a
table. A paper whose records on one side report different effects is drawn as
"mixed" there, so every paper is one unit of one bar.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django import template

from claims.disagreement import counted
from claims.models import Evidence

register = template.Library()

EFFECTS = tuple(Evidence.Effect)
STANCES = (Evidence.Stance.SUPPORTS, Evidence.Stance.REFUTES, Evidence.Stance.QUALIFIES)
WIDTH = 400
LABEL_WIDTH = 84
ROW_HEIGHT = 34
BAR_HEIGHT = 22


@dataclass(frozen=True)
class Segment:
    effect: str
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float

    def __post_init__(self):
        # Whole tenths keep the SVG small and free of float noise.
        for name in ("x", "y", "width", "height"):
            object.__setattr__(self, name, round(getattr(self, name), 1))

    @property
    def text_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def text_y(self) -> float:
        return round(self.y + self.height / 2 + 4, 1)

    @property
    def fits_label(self) -> bool:
        return self.width >= 16 and self.height >= 14


@dataclass(frozen=True)
class Row:
    label: str
    total: int
    y: float
    segments: tuple[Segment, ...]
    cells: tuple[int, ...]

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2 + 4

    @property
    def end_x(self) -> float:
        end = self.segments[-1].x + self.segments[-1].width if self.segments else 0
        return round(max(end, LABEL_WIDTH) + 6, 1)


def _plural(n: int, word: str = "paper") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _papers(evidence: Iterable[Evidence]) -> dict[tuple[int, str], tuple[str, int]]:
    """Each counted paper on each side: (pmid, stance) -> (effect, year)."""
    effects: dict[tuple[int, str], set[str]] = defaultdict(set)
    years: dict[int, int] = {}
    for e in counted(evidence):
        effects[e.publication.pmid, e.stance].add(e.effect)
        years[e.publication.pmid] = e.publication.year
    return {
        key: (found.pop() if len(found) == 1 else Evidence.Effect.MIXED, years[key[0]])
        for key, found in effects.items()
    }


@register.inclusion_tag("claims/charts/balance.html")
def balance_chart(evidence: Iterable[Evidence], chart_id: str = "balance"):
    """Horizontal bars: supporting, refuting and qualifying papers by effect."""
    counts = Counter((stance, fx) for (_, stance), (fx, _) in _papers(evidence).items())
    totals = {s: sum(counts[s, fx] for fx in EFFECTS) for s in STANCES}
    stances = [s for s in STANCES if totals[s] or s != Evidence.Stance.QUALIFIES]
    scale = (WIDTH - LABEL_WIDTH - 30) / max([*totals.values(), 1])
    rows = []
    for i, stance in enumerate(stances):
        y, x, segments = 8 + i * ROW_HEIGHT, LABEL_WIDTH, []
        for effect in EFFECTS:
            if n := counts[stance, effect]:
                segments.append(
                    Segment(effect, effect.label, n, x, y, n * scale, BAR_HEIGHT)
                )
                x += n * scale
        cells = tuple(counts[stance, fx] for fx in EFFECTS)
        rows.append(Row(stance.label, totals[stance], y, tuple(segments), cells))
    desc = "; ".join(
        f"{row.label}: {_plural(row.total)}"
        + "".join(f", {s.count} {s.label.lower()}" for s in row.segments)
        for row in rows
    )
    return {
        "id": chart_id,
        "rows": rows,
        "height": 16 + len(rows) * ROW_HEIGHT,
        "width": WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "all_effects": EFFECTS,
        "desc": desc + ".",
        "empty": not any(totals.values()),
    }


YEAR_TOP = 22
YEAR_HALF = 70


@dataclass(frozen=True)
class YearColumn:
    year: int
    x: float
    width: float
    supporting: int
    refuting: int
    segments: tuple[Segment, ...]
    show_label: bool


def _stack(counts: Counter, year: int, stance: str, x, width, unit, axis, up):
    """One year's findings of one side, stacked by effect away from the axis."""
    segments, offset = [], 0.0
    for effect in EFFECTS:
        if n := counts[year, stance, effect]:
            height = n * unit
            y = axis - offset - height if up else axis + offset
            segments.append(Segment(effect, effect.label, n, x, y, width, height))
            offset += height
    return segments


def _labelled(i: int, n: int, every: int) -> bool:
    """Label the first and last year and every `every`-th between, never two close."""
    return i == n - 1 or (i % every == 0 and n - 1 - i >= every * 0.6)


@register.inclusion_tag("claims/charts/years.html")
def years_chart(evidence: Iterable[Evidence], chart_id: str = "years"):
    """Columns per publication year: supporting papers above, refuting below."""
    papers = [
        (year, stance, effect)
        for (_, stance), (effect, year) in _papers(evidence).items()
        if year and stance != Evidence.Stance.QUALIFIES
    ]
    if not papers:
        return {"empty": True, "id": chart_id}
    counts = Counter(papers)
    sides = Counter((year, stance) for year, stance, _ in papers)
    first = min(year for year, _, _ in papers)
    last = max(year for year, _, _ in papers)
    years = range(first, last + 1)
    step = (WIDTH - LABEL_WIDTH) / len(years)
    unit = YEAR_HALF / max(sides.values())
    axis = YEAR_TOP + YEAR_HALF
    label_every = max(1, round(len(years) / 6))
    columns = []
    for i, year in enumerate(years):
        width = min(step * 0.7, 28)
        x = LABEL_WIDTH + i * step + (step - width) / 2
        segments = _stack(counts, year, "supports", x, width, unit, axis, up=True)
        segments += _stack(counts, year, "refutes", x, width, unit, axis, up=False)
        columns.append(
            YearColumn(
                year,
                x + width / 2,
                width,
                sides[year, "supports"],
                sides[year, "refutes"],
                tuple(segments),
                show_label=_labelled(i, len(years), label_every),
            )
        )
    desc = "; ".join(
        f"{c.year}: {c.supporting} supporting, {c.refuting} refuting"
        for c in columns
        if c.supporting or c.refuting
    )
    return {
        "id": chart_id,
        "empty": False,
        "columns": columns,
        "rows": [c for c in columns if c.supporting or c.refuting],
        "width": WIDTH,
        "height": axis + YEAR_HALF + 28,
        "axis": axis,
        "top": YEAR_TOP,
        "bottom": axis + YEAR_HALF,
        "label_x": LABEL_WIDTH - 8,
        "left": LABEL_WIDTH,
        "year_y": axis + YEAR_HALF + 20,
        "first": first,
        "last": last,
        "desc": f"Papers by publication year, {first} to {last}: {desc}.",
    }


@register.inclusion_tag("claims/charts/key.html")
def colour_key(key_id: str = "key"):
    """The key to the charts' and the evidence table's two languages."""
    return {"id": key_id, "stances": STANCES, "effects": EFFECTS}

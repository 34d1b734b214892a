"""Reviews, their topics and claims, and the evidence behind each claim.

Each claim gets a hidden truth (its theme, cancer type, claimed effect, and whether
the literature agrees, disagrees, or splits along a context facet); its evidence
records are drawn around that truth, and its status comes from the status rules.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from random import Random

from django.utils.text import slugify

from bench.scale_data import distributions as dist
from bench.scale_data import text
from bench.scale_data.papers import Paper
from bench.scale_data.themes import THEME_WEIGHTS, THEMES, Theme
from claims.facets import SEPARATING_FACETS
from claims.labels import reason_label
from claims.models import Claim, Evidence, Review, Topic
from claims.status_rules import EvidenceFacts, Verdict, compute_status

SLUG_PREFIX = "scale-"
TOPICS_PER_REVIEW = (12, 16)
REJECT_REASONS = (
    "The abstract does not report this finding.",
    "Same experiment as an accepted record on this claim.",
    "Stance reversed: the paper reports the opposite.",
)


@dataclass(frozen=True)
class Truth:
    """What a claim's literature says, which its evidence is drawn around."""

    theme: Theme
    cancer: str
    effect: str
    kind: dist.ClaimKind
    split: tuple[str, str] = ("", "")  # facet, and the value only refuters report


def review_with_topics(
    rng: Random, number: int, *, publication_id: int, stamp
) -> tuple[Review, list[tuple[Topic, Theme]]]:
    chosen: set[Theme] = set()
    wanted = rng.randint(*TOPICS_PER_REVIEW)
    while len(chosen) < min(wanted, len(THEMES)):
        chosen.add(THEME_WEIGHTS(rng))
    themes = [theme for theme in THEMES if theme in chosen]
    review = Review(
        publication_id=publication_id,
        slug=f"{SLUG_PREFIX}review-{number:03d}",
        summary="A review of the evidence on mesenchymal stem cells in cancer: "
        + "; ".join(theme.name.lower() for theme in themes)
        + ".",
        created_at=stamp,
        updated_at=stamp,
    )
    topics = [
        Topic(
            slug=f"{SLUG_PREFIX}r{number:03d}-{theme.slug}",
            name=theme.name,
            description=f"What the cited papers show about {theme.name.lower()}.",
            position=position,
            created_at=stamp,
            updated_at=stamp,
        )
        for position, theme in enumerate(themes)
    ]
    return review, list(zip(topics, themes, strict=True))


def claim(
    rng: Random, number: int, *, topic: Topic, theme: Theme, position: int, stamp
) -> tuple[Claim, Truth]:
    """A claim of the theme, unique by its numbered slug, and its hidden truth."""
    cancer = theme.cancers(rng) if theme.cancers else ""
    statement = text.statement(rng, rng.choice(theme.statements), cancer=cancer)
    words = slugify(statement)[:60].rsplit("-", 1)[0]
    row = Claim(
        topic=topic,
        slug=f"{SLUG_PREFIX}{number:05d}-{words}",
        statement=statement,
        setting=theme.settings(rng),
        position=position,
        created_at=stamp,
        updated_at=stamp,
    )
    return row, _truth(rng, theme, cancer)


def _truth(rng: Random, theme: Theme, cancer: str) -> Truth:
    effect = theme.effects(rng)
    if rng.random() >= theme.disputed:
        return Truth(theme, cancer, effect, dist.OTHER_KINDS(rng))
    if rng.random() < 0.5:
        return Truth(theme, cancer, effect, dist.DISPUTED)
    facet = dist.SPLIT_FACETS(rng)
    if facet == "cancer_type" and not cancer:
        facet = "level"
    return Truth(
        theme, cancer, effect, dist.SPLIT, (facet, _refuting_value(rng, facet, cancer))
    )


def _refuting_value(rng: Random, facet: str, cancer: str) -> str:
    if facet == "cancer_type":
        other = cancer
        while other == cancer:
            other = dist.CANCERS(rng)
        return other
    if facet == "msc_source":
        return rng.choice(("adipose", "umbilical_cord"))
    values = sorted({p.get(facet) for p in dist.PRIMARY_PROFILES} - {""})
    return rng.choice(values)


@cache
def _split_profiles(facet: str, value: str, *, refuting: bool) -> dist.Weighted:
    """Primary profiles on one side of a split: the facet reported, and set apart."""
    return dist.Weighted(
        {
            p: w
            for p, w in dist.PRIMARY_PROFILES.items()
            if p.get(facet) and (p.get(facet) == value) == refuting
        }
    )


class EvidenceDrawer:
    """Draws a claim's evidence records, citing distinct papers mostly from the
    claim's own review's reference list."""

    def __init__(self, papers: Sequence[Paper], paper_ids: Sequence[int], reviews: int):
        self.papers, self.paper_ids = papers, paper_ids
        # The first papers are the reviews themselves; the rest can be cited.
        self.first = reviews
        self.per_review = max(1, (len(papers) - reviews) // reviews)

    @property
    def citable(self) -> int:
        return len(self.papers) - self.first

    def draw(
        self, rng: Random, claim: Claim, truth: Truth, *, review: int, count: int, stamp
    ) -> tuple[list[Evidence], Verdict]:
        records, cited = [], []
        for index in self._paper_indexes(rng, review, count):
            paper = self.papers[index]
            record = self._record(rng, truth, paper)
            record.claim = claim
            record.publication_id = self.paper_ids[index]
            record.created_at = record.updated_at = stamp
            records.append(record)
            cited.append((record, paper))
        # The order claims_recompute_status reads them in (Evidence.Meta.ordering),
        # which the reason's wording follows; ties stay in insertion (pk) order.
        cited.sort(key=lambda pair: (-pair[0].rating, pair[1].year or 0))
        facts = [_facts(r, p) for r, p in cited if r.status == Evidence.Status.ACCEPTED]
        return records, compute_status(facts, kind=claim.kind, label=reason_label)

    def _paper_indexes(self, rng: Random, review: int, count: int) -> list[int]:
        own = self.first + review * self.per_review
        chosen: dict[int, None] = {}  # insertion-ordered, so the draw is repeatable
        while len(chosen) < count:
            if rng.random() < dist.OWN_REFERENCES_SHARE:
                # Skewed to the front: some papers are cited far more than others.
                index = own + int(self.per_review * rng.random() ** 1.6)
            else:
                index = self.first + int(self.citable * rng.random() ** 1.6)
            chosen.setdefault(min(index, len(self.papers) - 1))
            if len(chosen) < count and len(chosen) * 2 > self.citable:
                # Tiny data sets: take the remaining papers in order.
                spare = (
                    i for i in range(self.first, len(self.papers)) if i not in chosen
                )
                for index in spare:
                    chosen.setdefault(index)
                    if len(chosen) == count:
                        break
        return list(chosen)

    def _record(self, rng: Random, truth: Truth, paper: Paper) -> Evidence:
        stance = truth.kind.stances(rng)
        level_kind = "review" if paper.review else "primary"
        profile = self._profile(rng, truth, stance, review=paper.review)
        effect = _effect(rng, truth.effect, stance)
        msc_source = dist.MSC_SOURCE[level_kind](rng)
        species = dist.REVIEW_SPECIES(rng) if paper.review else profile.species
        # Drawn in this order since the seed's data were first drawn; the names
        # of the cancer types wait on the record until generate.py links terms.
        cancers = _cancer(rng, truth, profile.level)
        record = Evidence(
            stance=stance,
            effect=effect,
            level=profile.level,
            msc_source=msc_source,
            species=species,
            model=profile.model,
            immune_status=profile.immune_status,
            delivery=profile.delivery,
            msc_tumor_ratio="" if paper.review else dist.RATIOS(rng),
            rating=dist.RATINGS[profile.level](rng),
            status=dist.EVIDENCE_STATUS(rng),
        )
        record.cancers = cancers
        facet, value = truth.split
        if facet in ("cancer_type", "msc_source") and _counts(stance, paper):
            kept = value if stance == "refutes" else _kept(truth, facet)
            if facet == "cancer_type":
                record.cancers = (kept,)
            else:
                record.msc_source = kept
        cancer = ", ".join(record.cancers)
        record.finding = text.finding(
            rng, level=record.level, effect=record.effect, cancer=cancer
        )
        if record.status == Evidence.Status.REJECTED:
            record.review_reason = rng.choice(REJECT_REASONS)
        if paper.integrity:
            record.needs_rereview, record.rereview_reason = True, paper.integrity
        return record

    def _profile(self, rng: Random, truth: Truth, stance: str, *, review: bool):
        if review:
            return dist.REVIEW_PROFILE
        facet, value = truth.split
        if (
            facet
            and facet not in ("cancer_type", "msc_source")
            and stance != "qualifies"
        ):
            return _split_profiles(facet, value, refuting=stance == "refutes")(rng)
        return dist.PROFILES(rng)


def _counts(stance: str, paper: Paper) -> bool:
    """Whether the status rules weigh this record's side (accepted or not)."""
    return stance != "qualifies" and not paper.review


def _kept(truth: Truth, facet: str) -> str:
    return truth.cancer if facet == "cancer_type" else "bone_marrow"


def _effect(rng: Random, claimed: str, stance: str) -> str:
    if stance == "refutes":
        return dist.OPPOSITE_EFFECT[claimed](rng)
    if stance == "qualifies" and rng.random() < 0.4:
        return "mixed" if claimed != "not_assessed" else claimed
    if rng.random() < dist.CLAIMED_EFFECT_SHARE:
        return claimed
    # A paper that agrees without measuring the tumor, or the reverse.
    return "not_assessed" if claimed != "not_assessed" else "pro_tumor"


def _cancer(rng: Random, truth: Truth, level: str) -> tuple[str, ...]:
    """The names of a record's cancer types: none, one, or now and then two."""
    if truth.theme.cancers is None or rng.random() < dist.BLANK_CANCER_SHARE[level]:
        return ()
    cancer = truth.cancer if rng.random() < 0.6 else truth.theme.cancers(rng)
    if rng.random() < dist.TWO_CANCERS_SHARE:
        return tuple(sorted({cancer, dist.CANCERS(rng)}))
    return (cancer,)


def cancer_slugs(record: Evidence) -> tuple[str, ...]:
    """The slugs of the terms of a drawn record's cancer types."""
    return tuple(sorted(slugify(name) for name in record.cancers))


def _facts(record: Evidence, paper: Paper) -> EvidenceFacts:
    """What claims.selectors.evidence_facts reads, without loading the paper."""
    return EvidenceFacts(
        pmid=paper.pmid,
        stance=record.stance,
        level=record.level,
        rating=record.rating,
        retracted=paper.retracted,
        paper=paper.awaiting,
        context={facet: record.facet_value(facet) for facet in SEPARATING_FACETS}
        | {"cancer_type": cancer_slugs(record)},
        label=paper.label,
    )

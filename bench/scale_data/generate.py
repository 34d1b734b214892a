"""Writing and clearing the scale data set, in bulk and without history rows."""

import datetime
import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from random import Random

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models, reset_queries, transaction
from django.db.models import Q
from django.utils.text import slugify

from bench.scale_data import curation, papers
from bench.scale_data.curation import SLUG_PREFIX, EvidenceDrawer
from bench.scale_data.distributions import (
    CANCERS,
    EVIDENCE_SPREAD_SIGMA,
    REVIEW_ARTICLE_SHARE,
)
from bench.scale_data.papers import PMID_BASE, Paper
from claims.models import (
    Claim,
    Evidence,
    Publication,
    PublicationChange,
    Review,
    Term,
    Topic,
)
from claims.vocabulary import cancer_type_terms

BATCH_SIZE = 5_000  # rows generated, then written, at a time
# Rows per INSERT: bigger statements were slower on PostgreSQL (5,000 publications:
# 7.2 s in one statement, 4.2 s in five), and SQLite caps parameters near this.
INSERT_SIZE = 1_000
CLAIMS_PER_REVIEW = 200
EPOCH = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)

Progress = Callable[[str], None]


@dataclass
class ScaleReport:
    """What one generation wrote."""

    seed: int
    rows: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    stances: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> str:
        def tally(counts: Counter) -> str:
            return ", ".join(f"{k} {n:,}" for k, n in counts.most_common())

        rows = ", ".join(f"{n:,} {kind}" for kind, n in self.rows.items())
        return "\n".join(
            [
                f"Generated (seed {self.seed}): {rows}.",
                f"Claim statuses: {tally(self.statuses)}.",
                f"Evidence stances: {tally(self.stances)}.",
                f"Took {self.seconds:.1f} s.",
            ]
        )


def scale_data_present() -> bool:
    return (
        Publication.objects.filter(pmid__gte=PMID_BASE).exists()
        or Claim.objects.filter(slug__startswith=SLUG_PREFIX).exists()
    )


def scale_data_generate(
    *,
    seed: int = 1,
    claims: int = 20_000,
    evidence: int = 200_000,
    publications: int = 60_000,
    reviews: int | None = None,
    progress: Progress = lambda message: None,
) -> ScaleReport:
    """Write a reproducible data set of the given size beside the curated review."""
    reviews = max(1, claims // CLAIMS_PER_REVIEW) if reviews is None else reviews
    _check_sizes(claims, evidence, publications, reviews)
    if scale_data_present():
        raise ValidationError("Scale data is already loaded; clear it first.")
    run = _Generation(seed, progress)
    timestamped = (Publication, Review, Topic, Claim, Evidence)
    with transaction.atomic(), _clock_stamps_only(*timestamped):
        drawer = run.write_papers(publications, reviews)
        topics = run.write_reviews(reviews, drawer.paper_ids)
        counts = run.evidence_counts(claims, evidence, cap=drawer.citable)
        run.write_claims(topics, counts, drawer)
    run.report.seconds = time.monotonic() - run.started
    return run.report


def _check_sizes(claims: int, evidence: int, publications: int, reviews: int) -> None:
    if min(claims, evidence, publications, reviews) < 0:
        raise ValidationError("Sizes cannot be negative.")
    if reviews < 1 or publications <= reviews:
        raise ValidationError(
            "Each review is itself a publication: ask for at least one review and "
            "more publications than reviews."
        )
    if evidence > claims * (publications - reviews):
        raise ValidationError(
            "Each claim cites a paper once: evidence can be at most claims x "
            "(publications - reviews)."
        )
    if not connection.features.can_return_rows_from_bulk_insert:
        raise ValidationError("The database must return ids from bulk inserts.")


class _Generation:
    """One run: a Random per stage, so a stage's rows depend only on the seed and
    the sizes, and a clock of fixed timestamps."""

    def __init__(self, seed: int, progress: Progress):
        self.seed, self.progress = seed, progress
        self.report = ScaleReport(seed=seed)
        self.started = time.monotonic()
        start = EPOCH + datetime.timedelta(days=seed % 365)
        self.clock = (start + datetime.timedelta(seconds=i) for i in itertools.count())

    @cached_property
    def cancer_terms(self) -> dict[str, int]:
        """{slug: pk} of every cancer type the generator draws, the vocabulary's
        terms where they exist (a name it lacks becomes a term, as migration
        0012 would make it)."""
        terms = cancer_type_terms(Term, CANCERS.values)
        return {slugify(name): pk for name, pk in terms.items()}

    def rng(self, stage: str) -> Random:
        return Random(f"{self.seed}:{stage}")

    def tick(self) -> None:
        # DEBUG keeps every query's SQL; bulk inserts of abstracts would fill memory.
        reset_queries()
        rows = ", ".join(f"{kind}: {n:,}" for kind, n in self.report.rows.items())
        self.progress(f"{rows} ({time.monotonic() - self.started:.1f} s)")

    def write_papers(self, count: int, reviews: int) -> EvidenceDrawer:
        """The reviews' own publications first, then the papers claims cite."""
        rng, drawn, ids = self.rng("papers"), [], []
        for start in range(0, count, BATCH_SIZE):
            rows, kinds = [], []
            for index in range(start, min(count, start + BATCH_SIZE)):
                review = index < reviews or rng.random() < REVIEW_ARTICLE_SHARE
                stamp = next(self.clock)
                rows.append(papers.publication(rng, index, review=review, stamp=stamp))
                kinds.append(review)
            Publication.objects.bulk_create(rows, batch_size=INSERT_SIZE)
            drawn += [
                Paper.of(row, review=k) for row, k in zip(rows, kinds, strict=True)
            ]
            ids += [row.pk for row in rows]
            self.report.rows["publications"] = len(ids)
            self.tick()
        return EvidenceDrawer(drawn, ids, reviews)

    def write_reviews(self, count: int, paper_ids: list[int]) -> list[list[tuple]]:
        """Reviews on the first papers, each with its topics; [(topic, theme)] each."""
        rng = self.rng("reviews")
        made = [
            curation.review_with_topics(
                rng, n + 1, publication_id=paper_ids[n], stamp=next(self.clock)
            )
            for n in range(count)
        ]
        Review.objects.bulk_create(
            [review for review, _ in made], batch_size=INSERT_SIZE
        )
        for review, pairs in made:
            for topic, _ in pairs:
                topic.review = review
        topics = [topic for _, pairs in made for topic, _ in pairs]
        Topic.objects.bulk_create(topics, batch_size=INSERT_SIZE)
        self.report.rows["reviews"], self.report.rows["topics"] = count, len(topics)
        return [pairs for _, pairs in made]

    def evidence_counts(self, claims: int, total: int, *, cap: int) -> list[int]:
        """Records per claim, summing to total: most claims have a few, some many."""
        rng, counts = self.rng("counts"), [0] * claims
        weights = [rng.lognormvariate(0, EVIDENCE_SPREAD_SIGMA) for _ in range(claims)]
        for index in (
            rng.choices(range(claims), weights=weights, k=total) if claims else ()
        ):
            counts[index] += 1
        # A claim cites each paper once: move what it cannot hold to claims with room.
        overflow = sum(max(0, n - cap) for n in counts)
        counts = [min(n, cap) for n in counts]
        for index in itertools.cycle(range(claims)) if overflow else ():
            if counts[index] < cap:
                counts[index] += 1
                overflow -= 1
                if not overflow:
                    break
        return counts

    def write_claims(
        self,
        review_topics: list[list[tuple]],
        counts: list[int],
        drawer: EvidenceDrawer,
    ) -> None:
        """Claims spread evenly over the reviews, each stored with its status."""
        rng, positions = self.rng("claims"), Counter()
        claims, records = [], []
        for number, count in enumerate(counts, start=1):
            review = (number - 1) * len(review_topics) // len(counts)
            topic, theme = rng.choice(review_topics[review])
            claim, truth = curation.claim(
                rng,
                number,
                topic=topic,
                theme=theme,
                position=positions[topic.slug],
                stamp=next(self.clock),
            )
            positions[topic.slug] += 1
            drawn, verdict = drawer.draw(
                rng, claim, truth, review=review, count=count, stamp=next(self.clock)
            )
            for name, value in verdict.stored().items():
                setattr(claim, name, value)
            claims.append(claim)
            records += drawn
            self.report.statuses[verdict.status.label] += 1
            self.report.stances.update(record.stance for record in drawn)
            if len(records) >= BATCH_SIZE or number == len(counts):
                self._flush(claims, records)
                claims, records = [], []

    def _flush(self, claims: list[Claim], records: list[Evidence]) -> None:
        # Claims first: bulk_create reads each record's claim id off its claim.
        Claim.objects.bulk_create(claims, batch_size=INSERT_SIZE)
        Evidence.objects.bulk_create(records, batch_size=INSERT_SIZE)
        terms = self.cancer_terms
        links = Evidence.cancer_types.through
        links.objects.bulk_create(
            [
                links(evidence_id=record.pk, term_id=terms[slug])
                for record in records
                for slug in curation.cancer_slugs(record)
            ],
            batch_size=INSERT_SIZE,
        )
        self.report.rows["claims"] += len(claims)
        self.report.rows["evidence"] += len(records)
        self.tick()


@contextmanager
def _clock_stamps_only(*timestamped: type[models.Model]) -> Iterator[None]:
    """Let created_at and updated_at keep the generator's fixed timestamps.

    bulk_create stamps auto_now fields with the wall clock, and the same seed must
    give the same bytes. Safe only in a one-off command: the flags are per process.
    """
    fields = [
        f
        for model in timestamped
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@transaction.atomic
def scale_data_clear() -> dict[str, int]:
    """Delete the generated data set, never the curated review; return counts."""
    claims = Claim.objects.filter(slug__startswith=SLUG_PREFIX).values("pk")
    pubs = Publication.objects.filter(pmid__gte=PMID_BASE).values("pk")
    evidence = Evidence.objects.filter(Q(claim__in=claims) | Q(publication__in=pubs))
    versions = Evidence.history.filter(claim_id__in=claims)
    version_terms = apps.get_model("claims", "HistoricalEvidence_cancer_types")
    # In dependency order; the subqueries run as each delete does.
    doomed = {
        "publication changes": PublicationChange.objects.filter(publication__in=pubs),
        "evidence history cancer types": version_terms.objects.filter(
            history__in=versions.values("history_id")
        ),
        "evidence history": versions,
        "evidence cancer types": Evidence.cancer_types.through.objects.filter(
            evidence__in=evidence.values("pk")
        ),
        "evidence": evidence,
        "claim history": Claim.history.filter(slug__startswith=SLUG_PREFIX),
        "claims": Claim.objects.filter(slug__startswith=SLUG_PREFIX),
        "topics": Topic.objects.filter(slug__startswith=SLUG_PREFIX),
        "reviews": Review.objects.filter(slug__startswith=SLUG_PREFIX),
        "publication history": Publication.history.filter(pmid__gte=PMID_BASE),
        "publications": Publication.objects.filter(pmid__gte=PMID_BASE),
    }
    return {name: _delete_in_sql(queryset) for name, queryset in doomed.items()}


def _delete_in_sql(queryset: models.QuerySet) -> int:
    """One DELETE statement. QuerySet.delete() would load every row to send
    post_delete, and simple_history would answer each with a deletion record."""
    return queryset._raw_delete(queryset.db)

"""Every write that enforces a rule or touches several models; the reads they
build on are in claims.selectors."""

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from claims.facets import EVIDENCE_FACETS
from claims.models import (
    EVIDENCE_HISTORY,
    Claim,
    ClaimAlias,
    Evidence,
    Publication,
    Review,
    Term,
    Topic,
)
from claims.review_file import (
    ClaimEntry,
    EvidenceEntry,
    PublicationEntry,
    ReviewData,
    ReviewFileError,
)
from claims.selectors import claims_drift
from claims.titles import publication_set_checked_title
from claims.vocabulary import terms_sync

LOAD_REASON = "Loaded from the review data file"


def evidence_save(
    *, evidence: Evidence, cancer_types: Iterable[Term] | None = None
) -> Evidence:
    """Save a record and, when given, its cancer types, as one version in its
    history (setting the terms after the save would record a second one)."""
    if cancer_types is None:
        evidence.save()
        return evidence
    created = evidence._state.adding
    evidence.skip_history_when_saving = True
    try:
        evidence.save()
        evidence.cancer_types.set(cancer_types)
    finally:
        del evidence.skip_history_when_saving
    EVIDENCE_HISTORY.create_historical_record(evidence, "+" if created else "~")
    return evidence


@transaction.atomic
def claims_recompute_status(*, claim_ids: Iterable[int | None] | None = None) -> int:
    """Recompute and store the verdict of the given claims (all by default).

    The only writer of a claim's status, reason, rules version and counts.
    Returns how many claims changed.
    """
    changed = 0
    for claim, diff in claims_drift(claim_ids=claim_ids):
        for name, (_, value) in diff.items():
            setattr(claim, name, value)
        claim._change_reason = f"Status recomputed (rule {claim.status_rule})"
        claim.save(update_fields=[*diff, "updated_at"])
        changed += 1
    return changed


@dataclass
class LoadReport:
    """What one load of the review file did, by kind of record."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    not_in_file: int = 0
    merged_away: int = 0
    statuses_changed: int = 0

    def count(self, kind: str, outcome: str) -> None:
        getattr(self, outcome)[kind] += 1

    def summary(self) -> str:
        kinds = ("term", "publication", "topic", "claim", "evidence", "alias")
        parts = [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            for kind in kinds
        ]
        return "\n".join(
            [
                *parts,
                f"claim statuses changed: {self.statuses_changed}",
                f"claims merged into another (removed): {self.merged_away}",
                f"evidence from the file no longer in it (kept): {self.not_in_file}",
            ]
        )


def _publication_upsert(entry: PublicationEntry, report: LoadReport) -> Publication:
    """The file's paper, pending until PubMed confirms it; never marked verified
    here, whatever the file says."""
    publication, created = Publication.objects.get_or_create(
        pmid=entry.pmid,
        defaults={
            "title": entry.title,
            "curated_title": entry.title,
            "first_author": entry.first_author,
            "journal": entry.journal,
            "year": entry.year,
            "is_retracted": entry.retracted,
        },
    )
    if created:
        report.count("publication", "created")
        return publication
    # Only the curator's check is the file's to change; PubMed owns the rest
    # once the metadata has been fetched.
    wanted: dict[str, object] = {}
    if publication.metadata_state == Publication.MetadataState.PENDING:
        wanted = {
            "title": entry.title,
            "first_author": entry.first_author,
            "journal": entry.journal,
            "year": entry.year,
            "is_retracted": entry.retracted,
        }
    stale = [k for k, v in wanted.items() if getattr(publication, k) != v]
    for name in stale:
        setattr(publication, name, wanted[name])
    stale += publication_set_checked_title(publication, entry.title)
    if stale:
        publication.save(update_fields=[*stale, "updated_at"])
    report.count("publication", "updated" if stale else "unchanged")
    return publication


def _source_hash(*parts: object) -> str:
    """One fixed-length fingerprint of a file entry and where it sits in the file."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _apply_if_changed(
    obj: Topic | Claim | Evidence,
    source_hash: str,
    values: dict[str, Any],
    kind: str,
    report: LoadReport,
    *,
    cancer_types: list[Term] | None = None,
) -> None:
    """Write the file's values (and an evidence record's cancer types) unless
    the file entry is unchanged since last load.

    An unchanged entry never overwrites what a curator edited in the admin.
    """
    created = obj.pk is None
    if not created and obj.source_hash == source_hash:
        report.count(kind, "unchanged")
        return
    same = not created and all(getattr(obj, k) == v for k, v in values.items())
    if same and isinstance(obj, Evidence) and cancer_types is not None:
        same = set(obj.facet_value("cancer_type")) == {t.slug for t in cancer_types}
    if same:
        # Same values under a new fingerprint: no new version in the history.
        type(obj).objects.filter(pk=obj.pk).update(source_hash=source_hash)
        report.count(kind, "unchanged")
        return
    for name, value in values.items():
        setattr(obj, name, value)
    obj.source_hash = source_hash
    obj._change_reason = LOAD_REASON
    if isinstance(obj, Evidence) and cancer_types is not None:
        evidence_save(evidence=obj, cancer_types=cancer_types)
    else:
        obj.save()
    report.count(kind, "created" if created else "updated")


def _evidence_values(
    entry: EvidenceEntry, claim: Claim, publications: dict[int, Publication]
) -> dict:
    return {
        "claim": claim,
        "publication": publications[entry.pmid],
        **{f.field: getattr(entry, f.field) for f in EVIDENCE_FACETS if not f.multiple},
        "msc_tumor_ratio": entry.ratio,
        "finding": entry.finding,
        "quote": entry.quote,
        "not_reported": list(entry.not_reported),
        "rating": entry.rating,
        "status": Evidence.Status.ACCEPTED,
    }


def _claim_load(
    entry: ClaimEntry,
    topic: Topic,
    position: int,
    publications: dict[int, Publication],
    cancer_types: dict[str, Term],
    report: LoadReport,
) -> None:
    claim = (
        Claim.objects.filter(slug=entry.slug).first()
        or Claim.objects.filter(slug__in=entry.formerly).order_by("pk").first()
        or Claim(slug=entry.slug)
    )
    values = {
        # A claim renamed in the file keeps its record: its history, and the
        # evidence curators added to it.
        "slug": entry.slug,
        "topic": topic,
        "statement": entry.statement,
        "setting": entry.setting,
        "kind": entry.kind,
        "position": position,
    }
    _apply_if_changed(
        claim,
        _source_hash(entry.source_hash, topic.slug, position),
        values,
        "claim",
        report,
    )
    for ev in entry.evidence:
        evidence = Evidence.objects.filter(source_key=ev.key).first() or Evidence(
            source_key=ev.key
        )
        values = _evidence_values(ev, claim, publications)
        source_hash = _source_hash(ev.source_hash, entry.slug)
        terms = [cancer_types[slug] for slug in ev.cancer_types]
        _apply_if_changed(
            evidence, source_hash, values, "evidence", report, cancer_types=terms
        )


def _terms_sync(data: ReviewData, report: LoadReport) -> dict[str, Term]:
    """The vocabulary file's terms in the database; the cancer types by slug."""
    created, updated = terms_sync(Term, data.vocabulary)
    report.created["term"] += created
    report.updated["term"] += updated
    report.unchanged["term"] += len(data.vocabulary.terms) - created - updated
    return {term.slug: term for term in Term.objects.cancer_types()}


def _aliases_sync(entry: ClaimEntry, data: ReviewData, report: LoadReport) -> None:
    """Point the claim's retired slugs at it: an alias is created or moved, and
    a claim still holding a retired slug was merged into this one and is
    removed, once the file's evidence has left it (loaded before this)."""
    claim = Claim.objects.get(slug=entry.slug)
    # A slug live again in the file is no longer anyone's alias.
    ClaimAlias.objects.filter(slug=entry.slug).delete()
    for slug in entry.formerly:
        merged = Claim.objects.filter(slug=slug).first()
        if merged is not None:
            _claim_merge_away(merged, into=claim, entry=entry, data=data)
            report.merged_away += 1
        alias = ClaimAlias.objects.filter(slug=slug).first()
        if alias is None:
            ClaimAlias.objects.create(slug=slug, claim=claim)
            report.count("alias", "created")
        elif alias.claim_id != claim.pk:
            alias.claim = claim
            alias.save(update_fields=["claim", "updated_at"])
            report.count("alias", "updated")
        else:
            report.count("alias", "unchanged")


def _claim_merge_away(
    merged: Claim, *, into: Claim, entry: ClaimEntry, data: ReviewData
) -> None:
    """Remove a claim merged into another; never with evidence still on it
    (added in the admin, or dropped from the file), which is curators' work."""
    left = list(merged.evidence.values_list("pk", flat=True)[:5])
    if left:
        raise ReviewFileError(
            f"{data.path}:{entry.line}: claim '{entry.slug}': formerly "
            f"'{merged.slug}' is a claim that still holds evidence not in the "
            f"file (ids {', '.join(map(str, left))}); move or delete it in the "
            "admin, then load again."
        )
    # Its own retired slugs now name the claim it was merged into.
    merged.aliases.update(claim=into)
    merged._change_reason = f"{LOAD_REASON}: merged into {into.slug}"
    merged.delete()


@transaction.atomic
def review_load(*, data: ReviewData) -> LoadReport:
    """Load the curated review file idempotently; never deletes curator work."""
    report = LoadReport()
    cancer_types = _terms_sync(data, report)
    review_pub = _publication_upsert(data.review.publication, report)
    review, _ = Review.objects.update_or_create(
        slug=data.review.slug,
        defaults={"publication": review_pub, "summary": data.review.summary},
    )
    publications = {
        entry.pmid: _publication_upsert(entry, report) for entry in data.publications
    }
    for t_pos, topic_entry in enumerate(data.topics):
        topic = Topic.objects.filter(slug=topic_entry.slug).first() or Topic(
            slug=topic_entry.slug
        )
        values = {
            "review": review,
            "name": topic_entry.name,
            "description": topic_entry.description,
            "position": t_pos,
        }
        source_hash = _source_hash(topic_entry.source_hash, review.slug, t_pos)
        _apply_if_changed(topic, source_hash, values, "topic", report)
        for c_pos, claim_entry in enumerate(topic_entry.claims):
            _claim_load(claim_entry, topic, c_pos, publications, cancer_types, report)
    for claim_entry in data.claims:
        _aliases_sync(claim_entry, data, report)
    keys = [ev.key for _, ev in data.evidence]
    report.not_in_file = (
        Evidence.objects.filter(source_key__isnull=False)
        .exclude(source_key__in=keys)
        .count()
    )
    report.statuses_changed = claims_recompute_status()
    return report

"""Pure reads of the curation core: the facts the status rules read from a
record, the verdict they give, drift between stored and computed verdicts, and
evidence counts. Nothing here writes; claims.services holds the writes.

Evidence counts for a page of claims come in one query once the page is cut:
annotating a claim queryset with counts makes the database count the evidence
of every matching claim before it can sort and cut the page (290 ms for a page
of 100 of 20,000 claims), counting only the page's claims takes a few
milliseconds and one more query, whatever the page size.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from django.core.validators import slug_re
from django.db.models import Count, Prefetch

from claims.facets import SEPARATING_FACETS
from claims.labels import reason_label, term_labels
from claims.models import Claim, ClaimAlias, ClaimQuerySet, Evidence
from claims.status_rules import EvidenceFacts, Verdict, compute_status


def claim_slug_now(slug: str) -> str | None:
    """The slug of the claim a retired slug (a ClaimAlias) names now, or None.
    A path that is no slug at all (a NUL, a space) names none, and is never
    sent to the database, which may refuse it."""
    if not slug_re.match(slug):
        return None
    found = ClaimAlias.objects.filter(slug=slug).values_list("claim__slug", flat=True)
    return found.first()


def evidence_facts(evidence: Evidence) -> EvidenceFacts:
    """The facts the status rules read from one evidence record."""
    paper = evidence.publication
    return EvidenceFacts(
        pmid=paper.pmid,
        stance=evidence.stance,
        level=evidence.level,
        rating=evidence.rating,
        retracted=paper.is_retracted,
        paper=paper.awaiting_verification,
        context={f: evidence.facet_value(f) for f in SEPARATING_FACETS},
        label=f"{paper.first_author or 'Anon.'} {paper.year or 'n.d.'}",
    )


def verdict_of(*, claim: Claim, evidence: Iterable[Evidence]) -> Verdict:
    """What the rules give a claim of this kind with this evidence (accepted
    records count; the others are ignored)."""
    accepted = [e for e in evidence if e.status == Evidence.Status.ACCEPTED]
    terms = term_labels(accepted)

    def label(facet: str, value: str | None = None) -> str:
        return reason_label(facet, value, terms=terms)

    return compute_status(
        (evidence_facts(e) for e in accepted), kind=claim.kind, label=label
    )


def claim_verdict(*, claim: Claim) -> Verdict:
    """The verdict the rules give a claim now, from its accepted evidence."""
    return verdict_of(claim=claim, evidence=claim.evidence.all())


def _with_evidence(claim_ids: Iterable[int | None] | None) -> ClaimQuerySet:
    queryset = Claim.objects.all()
    if claim_ids is not None:
        queryset = queryset.filter(pk__in=[pk for pk in claim_ids if pk is not None])
    evidence = Evidence.objects.select_related("publication")
    return queryset.prefetch_related(
        Prefetch("evidence", queryset=evidence.prefetch_related("cancer_types"))
    )


def claims_drift(
    *, claim_ids: Iterable[int | None] | None = None
) -> list[tuple[Claim, dict[str, tuple[object, object]]]]:
    """Claims whose stored verdict differs from a fresh computation, with each
    differing field as (stored, computed). A read: it writes nothing."""
    drifted = []
    for claim in _with_evidence(claim_ids):
        wanted = claim_verdict(claim=claim).stored()
        diff = {
            name: (getattr(claim, name), value)
            for name, value in wanted.items()
            if getattr(claim, name) != value
        }
        if diff:
            drifted.append((claim, diff))
    return drifted


def evidence_counts(claim_ids: Sequence[int]) -> dict[int, Counter[str]]:
    """The accepted records of each claim, counted in all ("accepted"), by
    stance and by effect; a claim without any has an empty Counter."""
    rows = (
        Evidence.objects.accepted()
        .filter(claim__in=claim_ids)
        .order_by()
        .values_list("claim_id", "stance", "effect")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for claim_id, stance, effect, n in rows:
        counts[claim_id].update({"accepted": n, stance: n, effect: n})
    return counts


def evidence_counts_of(accepted: Iterable[tuple[str, str]]) -> Counter[str]:
    """The same counts for one claim, from the (stance, effect) of each of its
    accepted records, in memory."""
    found: Counter[str] = Counter()
    for stance, effect in accepted:
        found.update({"accepted": 1, stance: 1, effect: 1})
    return found

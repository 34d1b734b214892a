"""Evidence counts for one page of claims, in one query.

Annotating a claim queryset with counts makes the database count the evidence
of every matching claim before it can sort and cut the page: 290 ms for a page
of 100 of 20,000 claims. Counting only the page's claims, once the page is
known, takes a few milliseconds and one more query, whatever the page size.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Count

from claims.models import Evidence


def evidence_counts(claim_ids: Sequence[int]) -> dict[int, Counter]:
    """The accepted records of each claim, counted in all ("accepted"), by
    stance and by effect; a claim without any has an empty Counter."""
    rows = (
        Evidence.objects.accepted()
        .filter(claim__in=claim_ids)
        .order_by()
        .values_list("claim_id", "stance", "effect")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    for claim_id, stance, effect, n in rows:
        counts[claim_id].update({"accepted": n, stance: n, effect: n})
    return counts


def evidence_counts_of(accepted: Iterable[tuple[str, str]]) -> Counter:
    """The same counts for one claim, from the (stance, effect) of each of its
    accepted records, in memory."""
    found = Counter()
    for stance, effect in accepted:
        found.update({"accepted": 1, stance: 1, effect: 1})
    return found

"""The search page's results: each kind a page at a time, counted up to a
bound, and a suggestion when a word is not in the corpus."""

import math
from dataclasses import dataclass

from claims.freshness import data_version
from claims.models import Claim, Evidence, Publication
from claims.search import Search, plan_search, search
from claims.search.engines import matching
from claims.search.query import Query
from claims.search.snippets import suggestion

PAGE_SIZE = 20
# Each kind's page parameter on /search/.
SEARCH_PAGE_PARAMS = {
    "claims": "claims_page",
    "evidence": "findings_page",
    "publications": "papers_page",
}

# Only what the search page shows: papers' JSON metadata is costly to decode.
HIT_EVIDENCE_FIELDS = (
    "stance",
    "finding",
    "quote",
    "claim__slug",
    "claim__statement",
    "publication__pmid",
    "publication__first_author",
    "publication__year",
    "publication__is_retracted",
)
HIT_PUBLICATION_FIELDS = (
    "pmid",
    "title",
    "curated_title",
    "first_author",
    "authors",
    "year",
    "journal",
    "doi",
    "abstract",
    "is_retracted",
)


@dataclass(frozen=True)
class Hits:
    rows: list
    count: int  # at most claims.search.SEARCH_LIMIT
    capped: bool  # more than `count` match, or may
    page: int
    pages: int
    param: str  # the query parameter of this kind's page


@dataclass(frozen=True)
class SiteResults:
    claims: Hits
    evidence: Hits
    publications: Hits
    suggestion: str  # a query to try instead, or ""

    @property
    def found(self) -> bool:
        return bool(self.claims.count or self.evidence.count or self.publications.count)


def search_site(query: Query, *, pages: dict[str, int]) -> SiteResults:
    """The claims, accepted findings and papers matching the query, the best
    first: the asked-for page of each, and a suggestion if none matches."""
    kinds = {
        "claims": Claim.objects.select_related("topic"),
        "evidence": Evidence.objects.accepted()
        .select_related("claim", "publication")
        .only(*HIT_EVIDENCE_FIELDS)
        .order_by("-rating", "pk"),
        "publications": Publication.objects.only(*HIT_PUBLICATION_FIELDS),
    }
    plan = plan_search(query)
    hits = {
        kind: _page(
            search(qs, query, plan),
            SEARCH_PAGE_PARAMS[kind],
            pages.get(SEARCH_PAGE_PARAMS[kind], 1),
        )
        for kind, qs in kinds.items()
    }
    results = SiteResults(**hits, suggestion="")
    if results.found:
        return results
    unknown = [
        t.text for t in query.positive if len(t.text.split()) == 1 and not _in_corpus(t)
    ]
    return SiteResults(
        **hits, suggestion=suggestion(query, unknown, data_version().token)
    )


def _page(found: Search, param: str, page: int) -> Hits:
    pages = max(math.ceil(found.count / PAGE_SIZE), 1)
    page = min(max(page, 1), pages)
    rows = list(found.rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return Hits(rows, found.count, found.capped, page, pages, param)


def _in_corpus(term) -> bool:
    return any(
        m.objects.filter(pk__in=matching(m, term)).exists()
        for m in (Claim, Evidence, Publication)
    )

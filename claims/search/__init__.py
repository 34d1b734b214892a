"""Finding claims, evidence and papers by words, the same way on every database.

`text_search` is the one place that knows how to search; the web pages and the
API both call it. claims.search.query says what a query means (terms,
synonyms, stop words, the limit on terms), claims.search.engines how SQLite
and PostgreSQL find and rank a term, claims.search.site what the search page
shows.
"""

from django.db.models import Q, QuerySet

from claims.models import Claim, Evidence, Publication
from claims.search.engines import Document, matching, rank
from claims.search.query import MAX_TERMS, Query, Term, parse

__all__ = ["MAX_TERMS", "Document", "Query", "parse", "text_search"]


def text_search(queryset: QuerySet, q: str | Query) -> QuerySet:
    """The rows of a Claim, Evidence or Publication queryset that match q, the
    best first.

    Every term of q must occur somewhere in a row's texts; a -term must not. A
    claim's texts are its statement and its accepted findings and their papers;
    a finding's, itself, its claim and its paper; a paper's, itself and the
    accepted findings citing it. Rows rank by how well their own text matches
    (a claim's statement, a finding and its quote, a paper's title, authors and
    abstract), then in the queryset's own order.
    """
    query = q if isinstance(q, Query) else parse(q)
    for term in query.terms:
        condition = _term_condition(queryset.model, term)
        queryset = (
            queryset.exclude(condition) if term.excluded else queryset.filter(condition)
        )
    if not query.positive:
        return queryset
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    return queryset.annotate(search_rank=rank(queryset.model, query)).order_by(
        "-search_rank", *ordering
    )


def _term_condition(model: type, term: Term) -> Q:
    """The term occurs in one of the row's texts.

    Each kind's text is searched once, in a subquery, and the rows are related
    to the matches through the evidence: stemming or scanning a text costs far
    more than joining, so no text is searched twice.
    """
    claims, findings, papers = (
        matching(m, term) for m in (Claim, Evidence, Publication)
    )
    accepted = Evidence.objects.accepted()
    if model is Claim:
        return (
            Q(pk__in=claims)
            | Q(pk__in=accepted.filter(pk__in=findings).values("claim_id"))
            | Q(pk__in=accepted.filter(publication__in=papers).values("claim_id"))
        )
    if model is Evidence:
        return Q(pk__in=findings) | Q(claim__in=claims) | Q(publication__in=papers)
    return Q(pk__in=papers) | Q(
        pk__in=accepted.filter(pk__in=findings).values("publication_id")
    )

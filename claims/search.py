"""Finding claims, evidence and papers by words.

`text_search` is the one place that knows how to search: PostgreSQL full-text
search where we run on PostgreSQL, a word-by-word `icontains` on SQLite. The web
pages and the API both call it; `search_site` gathers the search page's results.
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import (
    Expression,
    Func,
    IntegerField,
    Q,
    QuerySet,
)
from django.db.models.lookups import Exact

from claims.models import Claim, Evidence, Publication

SEARCH_CONFIG = "english"

# The three texts searched, each with its fields and full-text weights: on
# PostgreSQL, each row's stored search document (migration 0010) holds them.
DOCUMENTS: dict[type, dict[str, str]] = {
    Claim: {"statement": "A"},
    Evidence: {"finding": "A"},
    Publication: {"title": "A", "abstract": "C"},
}
# A word, a "quoted phrase", either excluded by a leading minus.
_TERM = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
# A letter or digit: what PostgreSQL's full-text search can find.
_SEARCHABLE = re.compile(r"[^\W_]")


def text_search(queryset: QuerySet, q: str) -> QuerySet:
    """The rows of a Claim, Evidence or Publication queryset that match q.

    Every word or "quoted phrase" of q must occur somewhere in a row's texts; a
    -word must not. A claim's texts are its statement and its accepted findings
    and their papers' titles and abstracts; a finding's, itself, its claim and its
    paper; a paper's, its title, abstract and the accepted findings citing it.
    On PostgreSQL words are stemmed English, stop words are ignored, and the rows
    whose own text matches best (statement, finding, or a paper's title, then its
    abstract) come first. Elsewhere a word matches case-insensitively, in the
    queryset's own order.
    """
    terms = _terms(q)
    for excluded, term in terms:
        condition = _term_condition(queryset.model, term)
        if excluded:
            queryset = queryset.exclude(condition)
        else:
            queryset = queryset.filter(condition)
    if terms and connection.vendor == "postgresql":
        queryset = _ranked(queryset, q)
    return queryset


class Document(Expression):
    """A row's stored search document on PostgreSQL: the generated column
    search_document (migration 0010), stemmed once when the row is written.

    The model does not declare it, as SQLite has none; it is named here in the
    query's own alias for the row's table (U0 in a subquery).
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.search_document", []


def _terms(q: str) -> list[tuple[bool, str]]:
    """(excluded, term) for each word or phrase of q."""
    return [
        (excluded == "-", phrase or word)
        for excluded, phrase, word in _TERM.findall(q)
        if (phrase or word).strip()
    ]


def _term_condition(model: type, term: str) -> Q:
    """The term occurs in one of the row's texts.

    Each of the three texts is searched once, in a subquery, and the rows are
    related to the matches through the evidence: on PostgreSQL, stemming a text
    costs far more than joining, so no text is stemmed twice.
    """
    claims, findings, papers = (_matching(m, term) for m in DOCUMENTS)
    accepted = Evidence.objects.accepted()
    if model is Claim:
        condition = (
            Q(pk__in=claims)
            | Q(pk__in=accepted.filter(pk__in=findings).values("claim_id"))
            | Q(pk__in=accepted.filter(publication__in=papers).values("claim_id"))
        )
    elif model is Evidence:
        condition = Q(pk__in=findings) | Q(claim__in=claims) | Q(publication__in=papers)
    else:
        condition = Q(pk__in=papers) | Q(
            pk__in=accepted.filter(pk__in=findings).values("publication_id")
        )
    if _full_text(term):
        # A stop word alone ("the") makes an empty query, which matches
        # nothing; like a search engine, ignore it rather than find nothing.
        query = _phrase(term)
        nodes = Func(query, function="numnode", output_field=IntegerField())
        condition |= Q(Exact(nodes, 0))
    return condition


def _matching(model: type, term: str) -> QuerySet:
    """The ids of the rows whose own text contains the term, as a subquery."""
    fields = DOCUMENTS[model]
    if _full_text(term):
        found = model.objects.alias(document=Document()).filter(document=_phrase(term))
    else:
        found = model.objects.filter(
            reduce(or_, (Q(**{f"{f}__icontains": term}) for f in fields))
        )
    return found.order_by().values_list("pk", flat=True)


def _full_text(term: str) -> bool:
    """Whether PostgreSQL's full-text search looks for the term.

    Only a term with a letter or digit: text search drops symbols, so "%" or
    "=" would be ignored and match every row; they are matched literally, as on
    SQLite.
    """
    return connection.vendor == "postgresql" and bool(_SEARCHABLE.search(term))


def _phrase(term: str) -> SearchQuery:
    return SearchQuery(term, search_type="phrase", config=SEARCH_CONFIG)


def _ranked(queryset: QuerySet, q: str) -> QuerySet:
    """Best match first, by the row's own stored document: read, not stemmed
    again (ranking 11,367 claims by their statement stemmed afresh took 178 ms
    of a 255 ms search). A row whose own text holds no word of q ranks 0."""
    query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
    rank = SearchRank(Document(), query)
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    return queryset.annotate(search_rank=rank).order_by("-search_rank", *ordering)


@dataclass(frozen=True)
class Hits:
    rows: list
    more: bool  # more rows match than are shown


@dataclass(frozen=True)
class SiteResults:
    claims: Hits
    evidence: Hits
    publications: Hits


# Only what the search page shows: papers' JSON metadata is costly to decode.
HIT_EVIDENCE_FIELDS = (
    "stance",
    "finding",
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
    "year",
    "journal",
    "is_retracted",
)


def search_site(q: str, *, limit: int) -> SiteResults:
    """The claims, accepted findings and papers matching q, the first `limit` of
    each (the best, on PostgreSQL)."""
    claims = Claim.objects.select_related("topic")
    evidence = (
        Evidence.objects.accepted()
        .select_related("claim", "publication")
        .only(*HIT_EVIDENCE_FIELDS)
        .order_by("-rating", "pk")
    )
    publications = Publication.objects.only(*HIT_PUBLICATION_FIELDS)
    return SiteResults(
        *(_first(text_search(qs, q), limit) for qs in (claims, evidence, publications))
    )


def _first(queryset: QuerySet, limit: int) -> Hits:
    rows = list(queryset[: limit + 1])
    return Hits(rows[:limit], more=len(rows) > limit)

"""Finding claims, evidence and papers by words.

`text_search` is the one place that knows how to search: PostgreSQL full-text
search where we run on PostgreSQL, a word-by-word `icontains` on SQLite. The web
pages and the API both call it; `search_site` gathers the search page's results.
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.lookups import Exact

from claims.models import Claim, Evidence, Publication

SEARCH_CONFIG = "english"

# The three texts searched, each with its fields and full-text weights. Built
# like the SearchIndex expressions in claims/models.py: PostgreSQL uses an index
# only for an identical expression.
DOCUMENTS: dict[type, dict[str, str]] = {
    Claim: {"statement": "A"},
    Evidence: {"finding": "A"},
    Publication: {"title": "A", "abstract": "C"},
}
# What the best matches are ranked by, on PostgreSQL.
RANK_FIELD = {Claim: "statement", Evidence: "finding", Publication: "title"}
# A word, a "quoted phrase", either excluded by a leading minus.
_TERM = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
# A letter or digit: what PostgreSQL's full-text search can find.
_SEARCHABLE = re.compile(r"[^\W_]")


def text_search(queryset: QuerySet, q: str, *, memo: dict | None = None) -> QuerySet:
    """The rows of a Claim, Evidence or Publication queryset that match q.

    Every word or "quoted phrase" of q must occur somewhere in a row's texts; a
    -word must not. A claim's texts are its statement and its accepted findings
    and their papers' titles and abstracts; a finding's, itself, its claim and its
    paper; a paper's, its title, abstract and the accepted findings citing it.
    On PostgreSQL words are stemmed English, stop words are ignored, and the rows
    whose main text (statement, finding, title) matches best come first.
    Elsewhere a word matches case-insensitively, in the queryset's own order.

    Several searches for the same q can share a `memo` dict: each text is then
    searched once, up front, and the searches reuse the ids it matched.
    """
    terms = _terms(q)
    for excluded, term in terms:
        condition = _term_condition(queryset.model, term, memo)
        if excluded:
            queryset = queryset.exclude(condition)
        else:
            queryset = queryset.filter(condition)
    if terms and connection.vendor == "postgresql":
        queryset = _ranked(queryset, q, terms, memo)
    return queryset


def _terms(q: str) -> list[tuple[bool, str]]:
    """(excluded, term) for each word or phrase of q."""
    return [
        (excluded == "-", phrase or word)
        for excluded, phrase, word in _TERM.findall(q)
        if (phrase or word).strip()
    ]


def _term_condition(model: type, term: str, memo: dict | None) -> Q:
    """The term occurs in one of the row's texts.

    Each of the three texts is searched once, in a subquery, and the rows are
    related to the matches through the evidence: on PostgreSQL, stemming a text
    costs far more than joining, so no text is stemmed twice.
    """
    claims, findings, papers = (_matching(m, term, memo) for m in DOCUMENTS)
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


def _matching(model: type, term: str, memo: dict | None) -> QuerySet | list[int]:
    """The ids of the rows whose own text contains the term: a subquery, or
    with a memo, the ids themselves, fetched once."""
    if memo is not None:
        if (model, term) not in memo:
            memo[model, term] = list(_matching(model, term, None))
        return memo[model, term]
    fields = DOCUMENTS[model]
    if _full_text(term):
        vector = reduce(
            lambda a, b: a + b,
            (
                SearchVector(f, weight=w, config=SEARCH_CONFIG)
                for f, w in fields.items()
            ),
        )
        found = model.objects.annotate(document=vector).filter(document=_phrase(term))
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


def _ranked(
    queryset: QuerySet, q: str, terms: list[tuple[bool, str]], memo: dict | None
) -> QuerySet:
    """Best match first, by the row's main text: stemming all its texts a second
    time just to rank them would double the cost of a search.

    Only rows whose own texts hold a word of q are ranked, found through the
    text index; the others rank 0, as no word of theirs matches. Ranking every
    match stemmed the statements of 11,367 claims for one word found in 7,539
    papers (178 ms of a 255 ms search).
    """
    model = queryset.model
    query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
    main_text = SearchVector(RANK_FIELD[model], config=SEARCH_CONFIG)
    words = [
        Q(pk__in=_matching(model, term, memo))
        for excluded, term in terms
        if not excluded and _full_text(term)
    ]
    rank = Value(0.0)
    if words:
        rank = Case(
            When(reduce(or_, words), then=SearchRank(main_text, query)),
            default=rank,
            output_field=FloatField(),
        )
    ordering = queryset.query.order_by or model._meta.ordering
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
    claims = Claim.objects.select_related("topic").with_paper_counts()
    evidence = (
        Evidence.objects.accepted()
        .select_related("claim", "publication")
        .only(*HIT_EVIDENCE_FIELDS)
        .order_by("-rating", "pk")
    )
    publications = Publication.objects.only(*HIT_PUBLICATION_FIELDS)
    memo: dict = {}
    return SiteResults(
        *(
            _first(text_search(qs, q, memo=memo), limit)
            for qs in (claims, evidence, publications)
        )
    )


def _first(queryset: QuerySet, limit: int) -> Hits:
    rows = list(queryset[: limit + 1])
    return Hits(rows[:limit], more=len(rows) > limit)

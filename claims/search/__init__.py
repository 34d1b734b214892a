"""Finding claims, evidence and papers by words, the same way on every database.

`search` (and `text_search`, its rows) is the one place that knows how to
search; the web pages and the API both call it. claims.search.query says what
a query means (terms, synonyms, stop words, the limit on terms),
claims.search.engines how SQLite and PostgreSQL find and rank a term,
claims.search.site what the search page shows.

A search lists at most SEARCH_LIMIT rows:

- When a term is rare (fewer than RARE rows of every kind hold it in their
  own text), every row matching it, through its related texts too, is
  gathered, the other terms are checked on those rows alone, and the matches
  are ranked: the best SEARCH_LIMIT are listed, exactly.
- Otherwise, if fewer than RARE rows of the kind hold any of the terms in
  their own text, those rows (the only ones that rank) are checked and listed
  first; the rest are read in the list's own order until SEARCH_LIMIT match.
  The rows listed are then exactly the first of all matches.
- When the terms are in most rows' own texts, the rows are read in the list's
  own order until SEARCH_LIMIT match, and those are ranked: a word in most of
  the corpus ranks nothing apart, so its first matches in the list's order (a
  claim's topic and position, a finding's rating, a paper's year) stand for
  all of them.
- The rows are read a chunk at a time, each as large as the matches so far
  say is needed. If they say too few would match among the first MAX_READ
  rows, reading stops and every match is gathered and ranked, as for a rare
  term (only the rows whose own text holds a term are ranked: the others rank
  0 and follow in the list's order). This is the one way whose cost grows
  with the matches.

With an ordering chosen (`ranked=False`), nothing is ranked: the first
SEARCH_LIMIT matches in that order are listed.

bench/api_pages.py measures both, against a hand-written floor.
"""

import math
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Q, QuerySet

from claims.models import Claim, Evidence, Publication
from claims.search.engines import (
    Document,
    HoldsTerm,
    id_set,
    matching,
    own_text,
    rank,
)
from claims.search.query import MAX_TERMS, Query, Term, parse

__all__ = [
    "MAX_TERMS",
    "SEARCH_LIMIT",
    "Document",
    "Plan",
    "Query",
    "Search",
    "id_set",
    "parse",
    "plan_search",
    "search",
    "text_search",
]

# The most rows of a kind one search lists.
SEARCH_LIMIT = 1000
# A term that fewer rows than this hold, in every kind, is rare.
RARE = 1000
# The most rows read in the list's order: SEARCH_LIMIT matches in fewer rows
# (a word in a quarter of them at least) are the first matches; with fewer,
# every match is gathered instead.
MAX_READ = 4 * (SEARCH_LIMIT + 1)
# The most rows checked in one query.
CHUNK = 2000
KINDS = (Claim, Evidence, Publication)


@dataclass(frozen=True)
class Search:
    rows: QuerySet  # the matches listed, the best first
    count: int  # how many: at most SEARCH_LIMIT
    capped: bool  # more rows match, or may, than are listed


@dataclass(frozen=True)
class Plan:
    driver: Term | None  # the rarest term, if one is rare; None if all are common
    # The kinds in fewer than RARE of whose rows the own text holds a term.
    ranked: frozenset[type] = frozenset()
    narrowest: Term | None = None  # the positive term in fewest rows


@dataclass(frozen=True)
class _Order:
    """How a search orders its rows: by rank for `rank_by` (a query with
    positive terms, ranked), then in `ordering`; or in `ordering` alone."""

    ordering: tuple[str, ...]
    rank_by: Query | None

    def apply(self, rows: QuerySet) -> QuerySet:
        if self.rank_by is None:
            return rows.order_by(*self.ordering)
        return rows.annotate(search_rank=rank(rows.model, self.rank_by)).order_by(
            "-search_rank", *self.ordering
        )

    def first(
        self, queryset: QuerySet, ids: list[int], ranked: list[int] | None = None
    ) -> list[int]:
        """The first SEARCH_LIMIT of these rows, in this order. `ranked`, when
        known, are the only ones of them that rank above 0 (their own text
        holds a term): the others then follow in `ordering` alone, so that no
        rank is computed for them."""
        if ranked is None or self.rank_by is None:
            rows = self.apply(queryset.filter(pk__in=id_set(ids)))
            return list(rows.values_list("pk", flat=True)[:SEARCH_LIMIT])
        best = self.first(queryset, ranked) if ranked else []
        skip = set(ranked)
        rest = _Order(self.ordering, None).first(
            queryset, [pk for pk in ids if pk not in skip]
        )
        return (best + rest)[:SEARCH_LIMIT]


def text_search(queryset: QuerySet, q: str | Query, *, ranked: bool = True) -> QuerySet:
    """The rows of a Claim, Evidence or Publication queryset that match q, the
    best first (see `search`); all of them if q has no terms."""
    query = q if isinstance(q, Query) else parse(q)
    return search(queryset, query, ranked=ranked).rows if query else queryset


def search(
    queryset: QuerySet, q: str | Query, plan: Plan | None = None, *, ranked: bool = True
) -> Search:
    """The rows of a Claim, Evidence or Publication queryset that match q, the
    best first, at most SEARCH_LIMIT of them.

    Every term of q must occur somewhere in a row's texts; a -term must not. A
    claim's texts are its statement and its accepted findings and their papers;
    a finding's, itself, its claim and its paper; a paper's, itself and the
    accepted findings citing it. Rows rank by how well their own text matches
    (a claim's statement, a finding and its quote, a paper's title, authors and
    abstract), then in the queryset's own order. `plan` is the query's plan,
    when the caller searches several kinds with one query. Not `ranked` (a
    reader chose an ordering): the first SEARCH_LIMIT matches in the
    queryset's own order, in that order.
    """
    query = q if isinstance(q, Query) else parse(q)
    if not query:
        return Search(queryset, queryset.count(), capped=False)
    ordering = tuple(queryset.query.order_by or queryset.model._meta.ordering)
    plan = plan or plan_search(query)
    # How the rows listed are ordered: best first, or in the queryset's order.
    order = _Order(ordering, query if ranked and query.positive else None)
    if plan.driver:
        ids, capped = _best_matches(queryset, query, plan.driver, order)
    else:
        ranks_own = order.rank_by and queryset.model in plan.ranked
        own = _own_matches(queryset, query) if ranks_own else []
        found = _first_matches(queryset, query, order, after=own)
        ids, capped = found or _best_matches(
            queryset, query, plan.narrowest, order, own=own if ranks_own else None
        )
    return Search(order.apply(queryset.filter(pk__in=id_set(ids))), len(ids), capped)


def plan_search(query: Query) -> Plan:
    """Which way to search, found in one query: how many rows of each kind
    hold each positive term in their own text, and any of them, each counted
    up to RARE."""
    terms = query.positive
    if not terms:
        return Plan(None)
    words = (*terms, _any(query))
    probes = [
        m.objects.filter(own_text(m, term)).order_by().values("pk")[:RARE]
        for term in words
        for m in KINDS
    ]
    parts, params = [], []
    for probe in probes:
        sql, probe_params = probe.query.get_compiler(probe.db).as_sql()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) probe)")
        params.extend(probe_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = cursor.fetchone()
    kinds = len(KINDS)
    *per_term, per_kind_any = (
        counts[i * kinds : (i + 1) * kinds] for i in range(len(words))
    )
    most = {term: max(c) for term, c in zip(terms, per_term, strict=True)}
    narrowest = min(terms, key=most.__getitem__)
    ranked = frozenset(m for m, c in zip(KINDS, per_kind_any, strict=True) if c < RARE)
    return Plan(narrowest if most[narrowest] < RARE else None, ranked, narrowest)


def _any(query: Query) -> Term:
    """A term for any positive term: the rows it finds are those that rank."""
    return Term("", tuple(a for t in query.positive for a in t.alternatives))


def _own_matches(queryset: QuerySet, query: Query) -> list[int]:
    """The matches whose own text holds a positive term (fewer than RARE):
    the rows that rank above every other match."""
    model = queryset.model
    own = queryset.filter(own_text(model, _any(query))).order_by()
    return _matches(model, query, list(own.values_list("pk", flat=True)))


def _best_matches(
    queryset: QuerySet,
    query: Query,
    driver: Term | None,
    order: _Order,
    own: list[int] | None = None,
) -> tuple[list[int], bool]:
    """Every row matching the query, gathered by one term (the rare one, or
    the narrowest), the others checked on those rows; with only -terms, by
    every term. The best SEARCH_LIMIT of them if there are more (with only
    -terms, the first in the list's order). `own`, when known, are the
    matches that rank (see `_Order.first`)."""
    model = queryset.model
    gathered_by = [driver] if driver else list(query.terms)
    if driver:
        # One index-driven part for each text that may hold the term, in one
        # UNION: OR-ing them made PostgreSQL scan every row of the kind.
        parts = [
            queryset.order_by().filter(Q(part))
            for part in _term_condition(model, driver).children
        ]
        ordering = _union_ordering(model, order.ordering)
        # One term: the database can list the matches as it gathers them.
        if query.terms == (driver,) and ordering is not None:
            return _first_gathered(queryset, parts, ordering, order, own)
        ids = list(
            parts[0]
            .values_list("pk", flat=True)
            .union(*(part.values_list("pk", flat=True) for part in parts[1:]))
        )
    else:
        found = queryset.order_by()
        for term in gathered_by:
            condition = _term_condition(model, term)
            found = (
                found.exclude(condition) if term.excluded else found.filter(condition)
            )
        ids = list(found.values_list("pk", flat=True))
    rest = Query(tuple(t for t in query.terms if t not in gathered_by))
    if rest:
        chunks = (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK))
        ids = [pk for chunk in chunks for pk in _matches(model, rest, chunk)]
    if len(ids) <= SEARCH_LIMIT:
        return ids, False
    return order.first(queryset, ids, ranked=own), True


def _first_gathered(
    queryset: QuerySet,
    parts: list[QuerySet],
    ordering: list[str],
    order: _Order,
    own: list[int] | None,
) -> tuple[list[int], bool]:
    """The first SEARCH_LIMIT rows that the parts find (each row matching the
    query, which has one term), best first, read in one query that the
    database orders. When `own` (the only rows that rank) is known, they come
    first and the others follow in the list's order, unranked; otherwise each
    row's rank is read with it. No id is sent back to the database: at bench
    scale, reading 22,000 findings again by id to order them took longer than
    finding them."""
    ranks = order.rank_by is not None and own is None
    if ranks:
        parts = [p.annotate(search_rank=rank(p.model, order.rank_by)) for p in parts]
    fields = list(
        dict.fromkeys(n.lstrip("-") for n in ordering if n.lstrip("-") != "pk")
    )
    columns = ["pk", *(["search_rank"] if ranks else []), *fields]
    rows = (
        parts[0]
        .values_list(*columns)
        .union(*(part.values_list(*columns) for part in parts[1:]))
        .order_by(*(["-search_rank"] if ranks else []), *ordering)
    )
    own = own or []
    skip = set(own)
    rest = [row[0] for row in rows[: SEARCH_LIMIT + 1 + len(own)] if row[0] not in skip]
    listed = (order.first(queryset, own) if own else []) + rest
    return listed[:SEARCH_LIMIT], len(listed) > SEARCH_LIMIT


def _union_ordering(
    model: type, ordering: tuple, prefix: str = "", flip: bool = False
) -> list[str] | None:
    """The ordering as a UNION of rows can apply it: each relation replaced by
    the related model's own ordering (which is what ordering by a relation
    means; a UNION would order by its id: findings by "claim" would come in
    claim id order, not the claims'). None if it orders by an expression or
    an annotation, which are not columns of every part. (`prefix` and `flip`:
    a related model's ordering, under the relation's path and direction.)"""
    expanded: list[str] = []
    for name in ordering:
        if not isinstance(name, str):
            return None
        descending = name.startswith("-") != flip
        path = prefix + name.lstrip("-")
        try:
            related = _related_model(model, path)
        except FieldDoesNotExist:
            return None
        if related is None or not related._meta.ordering:
            expanded.append(("-" if descending else "") + path)  # a column, or an id
            continue
        inner = _union_ordering(
            model, tuple(related._meta.ordering), f"{path}__", descending
        )
        if inner is None:
            return None
        expanded += inner
    return expanded


def _related_model(model: type, path: str) -> type | None:
    """The model a lookup path from `model` ends on, if it ends on a relation."""
    field = None
    for part in path.split("__"):
        if part == "pk":
            return None
        field = model._meta.get_field(part)
        if field.is_relation:
            model = field.related_model
    return model if field is not None and field.is_relation else None


def _first_matches(
    queryset: QuerySet, query: Query, order: _Order, after: list[int]
) -> tuple[list[int], bool] | None:
    """The rows that match, at most SEARCH_LIMIT: those `after` (the ranked
    ones), then the first others in the queryset's order; None if too few
    of those are among the first MAX_READ rows.

    With `after` every row that ranks, the rows listed are exactly the first
    of all the matches, best first; without, a word in most rows' own texts,
    they are its first matches in the list's order."""
    if len(after) > SEARCH_LIMIT:
        return order.first(queryset, after), True
    ordered = queryset.order_by(*order.ordering).values_list("pk", flat=True)
    ids, skip = list(after), set(after)
    start, size, hits = 0, SEARCH_LIMIT + 1, 0  # enough if every row matches
    while start < MAX_READ:
        chunk = list(ordered[start : start + size])
        matched = set(_matches(queryset.model, query, chunk))
        ids += [pk for pk in chunk if pk in matched and pk not in skip]
        if len(ids) > SEARCH_LIMIT:
            return ids[:SEARCH_LIMIT], True
        if len(chunk) < size:
            return ids, False  # every row read
        start, hits = start + size, hits + len(matched)
        # As many more rows as the matches so far say are needed, with a
        # margin; none if they say MAX_READ would hold not half enough: then
        # gather. (The first chunk is a sample of SEARCH_LIMIT + 1 rows.)
        needed = SEARCH_LIMIT + 1 - len(ids)
        if 2 * hits * (MAX_READ - start) < needed * start:
            return None
        size = min(CHUNK, MAX_READ - start, math.ceil(1.25 * needed * start / hits))
    return None


def _matches(model: type, query: Query, ids) -> list[int]:
    """Which of these rows match every term of the query."""
    rows = model.objects.filter(pk__in=id_set(ids))
    for term in query.terms:
        condition = _term_condition(model, term, within=ids)
        rows = rows.exclude(condition) if term.excluded else rows.filter(condition)
    return list(rows.order_by().values_list("pk", flat=True))


def _term_condition(model: type, term: Term, *, within=None) -> Q:
    """The term occurs in one of the row's texts.

    Without `within`, each kind's text is searched once, in a subquery, and
    the rows are related to the matches through the evidence: for a rare
    term, that reads few rows. With `within` (the ids of a few rows of
    `model`), only the texts of those rows and of what relates to them are
    read: on PostgreSQL row by row, stopping at the first text that holds it.
    """
    accepted = Evidence.objects.accepted()
    if within is None:
        claims, findings, papers = (matching(m, term) for m in KINDS)
    elif connection.vendor == "postgresql":
        return Q(HoldsTerm(model, term))
    else:
        # The rows themselves, and the findings that relate them to the rest.
        ids = id_set(within)
        related = {
            Claim: accepted.filter(claim_id__in=ids),
            Evidence: Evidence.objects.filter(pk__in=ids),
            Publication: accepted.filter(publication_id__in=ids),
        }[model]
        among = {
            Claim: related.values("claim_id"),
            Evidence: related.values("pk"),
            Publication: related.values("publication_id"),
        }
        among[model] = ids
        claims, findings, papers = (_own(m, term, pk__in=among[m]) for m in KINDS)
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


def _own(model: type, term: Term, **among) -> QuerySet:
    """The ids of the rows `among` whose own text holds the term."""
    return model.objects.filter(own_text(model, term), **among).order_by().values("pk")

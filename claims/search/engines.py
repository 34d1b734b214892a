"""How each database finds and ranks a term: SQLite's FTS5 tables, PostgreSQL's
stored documents.

Both index the same fields (migration 0014 writes the tables, triggers and
generated columns), split text into the same words (letters and digits: on
PostgreSQL the documents turn ASCII punctuation into spaces first, as FTS5's
unicode61 tokenizer does, so "IL-6" and "CXCL12/SDF-1" are words on both) and
stem them (Porter on SQLite, Snowball English on PostgreSQL). Ranking weighs a
paper's title, authors and identifiers above its abstract, and orders each kind
by its own text: a claim by its statement, a finding by itself and its quote.
"""

import json

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorExact,
    SearchVectorField,
)
from django.db import connection
from django.db.models import BooleanField, Expression, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from claims.models import Claim, Evidence, Publication
from claims.search.query import Alternative, Query, Term

SEARCH_CONFIG = "english"
# Each kind's indexed fields, in the FTS5 table's column order, with bm25's
# weight for each (PostgreSQL's documents weigh them A to D, in the same order).
FIELDS: dict[type, dict[str, float]] = {
    Claim: {"statement": 1.0},
    Evidence: {"finding": 1.0, "quote": 1.0},
    Publication: {
        "title": 4.0,
        "authors": 4.0,
        "journal": 2.0,
        "identifiers": 4.0,
        "abstract": 1.0,
    },
}
# ts_rank_cd's normalisation 1: divide by 1 + log(length), so a short text that
# matches outranks a long one that mentions the words once (bm25 does the same).
PG_NORMALISATION = 1


def matching(model: type, term: Term) -> QuerySet | RawSQL:
    """The ids of the rows of `model` whose own text holds the term."""
    if connection.vendor == "postgresql":
        found = model.objects.alias(document=Document()).filter(
            document=_tsquery(term.alternatives)
        )
        return found.order_by().values("pk")
    table = fts_table(model)
    return RawSQL(
        f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [_fts5(term.alternatives)]
    )


def own_text(model: type, term: Term) -> Q:
    """The row's own text holds the term: a condition on the row itself, so
    that a query over a few rows reads only their documents."""
    if connection.vendor == "postgresql":
        return Q(SearchVectorExact(Document(), _tsquery(term.alternatives)))
    return Q(pk__in=matching(model, term))


def id_set(ids: list[int]) -> RawSQL:
    """Ids for an __in lookup, as one parameter: a PostgreSQL array, unnested,
    or a JSON array on SQLite. An IN list of thousands of values takes
    PostgreSQL's planner longer than the query (it weighs each value), and
    SQLite takes at most 32,766 parameters in one statement."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(list(ids)),))


def rank(model: type, query: Query) -> Expression:
    """How well a row's own text matches any positive term: higher is better."""
    alternatives = tuple(a for t in query.positive for a in t.alternatives)
    if connection.vendor == "postgresql":
        return SearchRank(
            Document(),
            _tsquery(alternatives),
            cover_density=True,
            normalization=PG_NORMALISATION,
        )
    return Fts5Rank(model, _fts5(alternatives))


def fts_table(model: type) -> str:
    return f"{model._meta.db_table}_fts"


def _fts5(alternatives: tuple[Alternative, ...]) -> str:
    """An FTS5 query: any of the phrases. Words are letters and digits only, so
    none needs escaping."""
    return " OR ".join(
        '"' + " ".join(a.words) + '"' + ("*" if a.prefix else "") for a in alternatives
    )


def _tsquery(alternatives: tuple[Alternative, ...]) -> SearchQuery:
    """A tsquery: any of the phrases, each word stemmed by to_tsquery."""
    phrases = (
        " <-> ".join(f"'{w}'" for w in a.words) + (":*" if a.prefix else "")
        for a in alternatives
    )
    raw = " | ".join(f"({p})" for p in phrases)
    return SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)


class Document(Expression):
    """A row's stored search document on PostgreSQL: the generated column
    search_document (migration 0014), stemmed once when the row is written.

    The model does not declare it, as SQLite has none; it is named here in the
    query's own alias for the row's table (U0 in a subquery).
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        return f"{_alias(compiler)}.search_document", []


class Fts5Rank(Expression):
    """A row's bm25 score in its FTS5 table, negated so that higher is better;
    0 where the row's own text holds none of the words."""

    output_field = FloatField()

    def __init__(self, model: type, match: str):
        super().__init__()
        self.model, self.match = model, match

    def as_sql(self, compiler, connection):
        table = fts_table(self.model)
        weights = ", ".join(str(w) for w in FIELDS[self.model].values())
        return (
            f"COALESCE((SELECT -bm25({table}, {weights}) FROM {table} "
            f"WHERE {table} MATCH %s AND {table}.rowid = {_alias(compiler)}.id), 0)",
            [self.match],
        )


def _alias(compiler) -> str:
    return compiler.quote_name_unless_alias(compiler.query.get_initial_alias())


class HoldsTerm(Expression):
    """PostgreSQL: the row's texts hold the term (its own, or those related to
    it, as claims.search defines them), checked row by row.

    Each related text is an EXISTS that stops at its first match, evaluated
    only when the row's own text does not match. OFFSET 0 keeps the planner
    from turning the EXISTS into a hashed subplan, which would gather every
    match of a common word in the whole table first.
    """

    output_field = BooleanField()

    def __init__(self, model: type, term: Term):
        super().__init__()
        self.model, self.term = model, term

    def as_sql(self, compiler, connection):
        row = _alias(compiler)
        tsquery, tsquery_params = compiler.compile(_tsquery(self.term.alternatives))
        claims, evidence, papers = (
            m._meta.db_table for m in (Claim, Evidence, Publication)
        )
        own = [tsquery_params]
        accepted = [Evidence.Status.ACCEPTED.value, *tsquery_params]
        # Each related text: its EXISTS and the parameters of its placeholders.
        related = {
            Claim: [
                (
                    f"SELECT 1 FROM {evidence} e WHERE e.claim_id = {row}.id "
                    f"AND e.status = %s AND e.search_document @@ {tsquery}",
                    accepted,
                ),
                (
                    f"SELECT 1 FROM {evidence} e JOIN {papers} p "
                    f"ON p.id = e.publication_id WHERE e.claim_id = {row}.id "
                    f"AND e.status = %s AND p.search_document @@ {tsquery}",
                    accepted,
                ),
            ],
            Evidence: [
                (
                    f"SELECT 1 FROM {claims} c WHERE c.id = {row}.claim_id "
                    f"AND c.search_document @@ {tsquery}",
                    tsquery_params,
                ),
                (
                    f"SELECT 1 FROM {papers} p WHERE p.id = {row}.publication_id "
                    f"AND p.search_document @@ {tsquery}",
                    tsquery_params,
                ),
            ],
            Publication: [
                (
                    f"SELECT 1 FROM {evidence} e WHERE e.publication_id = {row}.id "
                    f"AND e.status = %s AND e.search_document @@ {tsquery}",
                    accepted,
                ),
            ],
        }[self.model]
        sql = " OR ".join(
            [f"{row}.search_document @@ {tsquery}"]
            + [f"EXISTS ({s} OFFSET 0)" for s, _ in related]
        )
        params = [p for group in own + [g for _, g in related] for p in group]
        return f"({sql})", params

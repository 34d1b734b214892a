"""The browse page's facets: for each value, the number of claims it would
leave, counted in SQL under the filters of the query string, as
claims.filters.ClaimFilter (the API's filter set) cleaned them.

A multi-valued facet (cancer type) takes several values, any of which a record
may report (`?cancer_type=melanoma&cancer_type=glioma`); the others take one.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.db import connection
from django.db.models import CharField, Count, F, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from claims.facets import FACET_NAMES, TERM_FACETS
from claims.filters import ClaimFilter
from claims.labels import facet_label, ontology_ids
from claims.models import Claim, Evidence, Publication, Topic
from claims.search import Search, id_set
from claims.status_rules import ClaimStatus

CLAIM_FACETS = ("topic", "status")
# The evidence counts' pseudo-facet holding the years of accepted evidence.
YEARS = "year"
# Facets taking several values (terms, by slug); a record matches any of them.
MULTIPLE = frozenset(TERM_FACETS)
# The parameters with a facet of their own, or a field of the filter form.
SHOWN = frozenset({*CLAIM_FACETS, *FACET_NAMES, "year_min", "year_max", "q"})


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    ontology_id: str = ""
    # Once selected: the query string of the page without this value.
    unselect: str = ""


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: tuple[FacetOption, ...]
    multiple: bool = False


@dataclass(frozen=True)
class Chosen:
    """A filter the form does not show (kind, thin, ...), with its unselect link."""

    name: str
    value: str
    unselect: str


@dataclass(frozen=True)
class ClaimFilters:
    """The browse page's facets, under the filters of a valid ClaimFilter."""

    filterset: ClaimFilter

    @cached_property
    def _params(self) -> dict[str, str | list[str]]:
        return self.filterset.params()

    @cached_property
    def values(self) -> dict[str, str | tuple[str, ...]]:
        """The chosen facet values, a multi-valued facet's as a tuple of slugs."""
        return {
            name: tuple(value) if isinstance(value, list) else value
            for name, value in self._params.items()
            if name in CLAIM_FACETS or name in FACET_NAMES
        }

    @property
    def year_min(self) -> int | None:
        return self.filterset.chosen.get("year_min")

    @property
    def year_max(self) -> int | None:
        return self.filterset.chosen.get("year_max")

    @property
    def q(self) -> str:
        return self.filterset.chosen.get("q", "")

    def params(self) -> dict[str, str | list[str]]:
        """The filters given, as query parameters (cleaned: slugs, true/false)."""
        return dict(self._params)

    def querystring(self, *, without: str = "", value: str = "") -> str:
        """The filters' query string, without one parameter (or, given `value`,
        without only that value of it)."""
        params = self.params()
        if value and isinstance(params.get(without), list):
            params[without] = [v for v in params[without] if v != value]
        elif without:
            params.pop(without, None)
        return urlencode(params, doseq=True)

    @property
    def others(self) -> list[Chosen]:
        """The filters given that have no facet nor field on the page."""
        return [
            Chosen(name, str(value), self.querystring(without=name))
            for name, value in self._params.items()
            if name not in SHOWN
        ]

    @property
    def active(self) -> bool:
        return bool(self._params)

    @cached_property
    def _search(self) -> Search:
        """The claims matching q: searched once however often used."""
        return self.filterset.searched(self.filterset.queryset, self.q)

    @cached_property
    def matching_ids(self) -> list[int]:
        return list(self._search.rows.order_by().values_list("pk", flat=True))

    @property
    def search_capped(self) -> bool:
        """More claims match q than the search lists (SEARCH_LIMIT): the facet
        counts are of those listed."""
        return bool(self.q) and self._search.capped

    def evidence_q(self, *, without: str = "") -> Q:
        """The condition one accepted evidence record must meet."""
        return self.filterset.evidence_q(without=without)

    def claim_q(self, *, without: tuple[str, ...] = (), prefix: str = "") -> Q:
        """The condition on a claim's own fields and q, every claim filter but
        those `without`. Its lookups start at `prefix` ("claim__" from evidence),
        so a query over another model can put it on the claims it joins."""
        conditions = self.filterset.claim_q(without=without, prefix=prefix)
        if self.q:
            conditions &= Q(**{f"{prefix}pk__in": self._matching})
        return conditions

    @cached_property
    def _matching(self) -> RawSQL:
        """The claims matching q, for an __in lookup: one parameter, however
        many claims (the ten parts of the facet counts repeat it)."""
        return id_set(self.matching_ids)

    def has_evidence_q(self, *, without: str = "", prefix: str = "") -> Q:
        """The condition that a claim has one accepted evidence record meeting
        every evidence filter but `without`; none while no evidence filter is on."""
        evidence = self.evidence_q(without=without)
        if not evidence:
            return Q()
        matching = Evidence.objects.accepted().filter(evidence).values("claim_id")
        return Q(**{f"{prefix}pk__in": matching})

    def facets(self) -> list[Facet]:
        """Every facet with, for each value, how many claims it would leave.

        Counted by the database in three queries, however many claims, records
        and facets there are: the topics, the claims per topic and status, and
        the claims per value of each evidence facet. Reading every accepted
        record to count in Python took over a second and 230 MB for 20,000
        claims.
        """
        topics, cells = self._topic_status_cells()
        facets = [
            self._facet("topic", "Topic", self._claim_counts("topic", cells), topics),
            self._facet(
                "status",
                "Status",
                self._claim_counts("status", cells),
                ClaimStatus.choices,
            ),
        ]
        for name in FACET_NAMES:
            counts = self._evidence_counts[name]
            if name in MULTIPLE:
                terms = sorted(self._terms[name].items(), key=_label)
                choices = [(slug, text) for slug, (text, _) in terms]
                ids = {slug: term_id for slug, (_, term_id) in terms}
                label = facet_label(name)
            else:
                choices = Evidence._meta.get_field(name).choices
                ids = ontology_ids(name)
                label = str(Evidence._meta.get_field(name).verbose_name)
            facets.append(self._facet(name, label, counts, choices, ids))
        return facets

    def year_bounds(self) -> tuple[int | None, int | None]:
        """The first and last publication year among accepted evidence, whatever
        the filters: found by the query that counts the evidence facets."""
        years = [int(year) for year in self._evidence_counts[YEARS] if year]
        return (min(years), max(years)) if years else (None, None)

    def _facet(self, name, label, counts, choices, ids=None) -> Facet:
        chosen = self.values.get(name, ())
        chosen = chosen if isinstance(chosen, tuple) else (chosen,)
        options = tuple(
            FacetOption(
                value,
                str(text),
                counts.get(value, 0),
                value in chosen,
                (ids or {}).get(value, ""),
                self.querystring(without=name, value=value) if value in chosen else "",
            )
            for value, text in choices
            if counts.get(value) or value in chosen
        )
        return Facet(name, label[:1].upper() + label[1:], options, name in MULTIPLE)

    def _topic_status_cells(self) -> tuple[list[tuple[str, str]], list[dict]]:
        """Every topic as (slug, name), in order, and the claims passing q and
        the evidence filters, per topic and status: {"topic", "status", "n"}.

        Both claim facets come from this one small table: a topic's count sums
        its cells of the chosen status, a status's, its cells of the chosen
        topic. The topics are read apart from the cells, so that every topic's
        name is known (a chosen one with no passing claim shows at 0) while the
        cells read only the passing claims: grouping every claim from the
        topics' side read all 20,046 at bench scale (22 of the browse page's
        ms for ?q=tumor, which passes 1,000).
        """
        topics = list(
            Topic.objects.order_by("review", "position", "name").values_list(
                "slug", "name"
            )
        )
        passing = self.has_evidence_q() & self.claim_q(without=CLAIM_FACETS)
        cells = [
            {"topic": topic, "status": status, "n": n}
            for topic, status, n in Claim.objects.filter(passing)
            .order_by()
            .values_list("topic__slug", "status")
            .annotate(n=Count("pk"))
        ]
        return topics, cells

    def _claim_counts(self, facet: str, cells: list[dict]) -> Counter:
        """Claims per value of a claim facet: the sum of its cells in the other
        claim facet's chosen value, or in every value when none is chosen."""
        other = "status" if facet == "topic" else "topic"
        chosen = self.values.get(other)
        counts: Counter = Counter()
        for cell in cells:
            if chosen is None or cell[other] == chosen:
                counts[cell[facet]] += cell["n"]
        return counts

    @cached_property
    def _evidence_counts(self) -> dict[str, dict[str, int]]:
        """Claims per value of each evidence facet, and under YEARS the first
        and the last year of the papers of accepted evidence, in one UNION ALL
        query: read once for both the facets and the year bounds."""
        years = self._year_bounds_rows()
        if connection.vendor == "postgresql" and not self.evidence_q():
            rows = self._evidence_counts_grouped(years)
        else:
            branches = [self._evidence_facet_counts(name) for name in FACET_NAMES]
            rows = branches[0].union(*branches[1:], *years, all=True)
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for row in rows:
            counts[row["facet"]][row["value"]] = row["n"]
            if row["facet"] in MULTIPLE and row["value"] is not None:
                self._terms[row["facet"]][row["value"]] = (row["label"], row["term_id"])
        return counts

    def _evidence_counts_grouped(self, years: list[QuerySet]) -> list[dict]:
        """PostgreSQL, no evidence filter on: the rows of `_evidence_counts` in
        one pass over the accepted records with GROUPING SETS, one set per
        facet. With no evidence filter every facet counts the same records, so
        one read serves them all: the ten UNION ALL branches read them ten
        times (100 of the browse page's 181 ms for ?q=tumor at bench scale).
        A record's several terms repeat it, which COUNT(DISTINCT) ignores."""
        single = [name for name in FACET_NAMES if name not in MULTIPLE]
        multiple = {
            f"{name}_{part}": F(f"{TERM_FACETS[name]}__{field}")
            for name in FACET_NAMES
            if name in MULTIPLE
            for part, field in (
                ("value", "slug"),
                ("label", "label"),
                ("id", "ontology_id"),
            )
        }
        records = (
            Evidence.objects.accepted()
            .filter(self.claim_q(prefix="claim__"))
            .order_by()
            .values("claim_id", *single, **multiple)
        )
        sql, params = records.query.sql_with_params()
        terms = [name for name in FACET_NAMES if name in MULTIPLE]
        firsts = [*single, *(f"{name}_value" for name in terms)]
        facet = " ".join(f"WHEN GROUPING({column}) = 0 THEN %s" for column in firsts)
        labels = ", ".join([*(f"{n}_label" for n in terms), "''"])
        term_ids = ", ".join([*(f"{n}_id" for n in terms), "''"])
        sets = [f"({c})" for c in single] + [
            f"({n}_value, {n}_label, {n}_id)" for n in terms
        ]
        grouped = (
            f"SELECT CASE {facet} END AS facet, "
            f"COALESCE({', '.join(f'{c}::text' for c in firsts)}) AS value, "
            f"COALESCE({labels}) AS label, COALESCE({term_ids}) AS term_id, "
            f"COUNT(DISTINCT claim_id) AS n FROM ({sql}) records "
            f"GROUP BY GROUPING SETS ({', '.join(sets)})"
        )
        parts, all_params = [grouped], [*single, *terms, *params]
        for branch in years:
            branch_sql, branch_params = branch.query.sql_with_params()
            parts.append(branch_sql)
            all_params.extend(branch_params)
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(f"({p})" for p in parts), all_params)
            columns = [c.name for c in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    @staticmethod
    def _year_bounds_rows() -> list[QuerySet]:
        """The first and the last cited paper by year, as two facet rows under
        YEARS: each found by walking the (year, id) index from one end to the
        first paper with accepted evidence. Counting every cited paper's year
        instead took 49 of the browse page's 207 ms at bench scale."""
        # Papers whose id is among the accepted records' (an index holds them).
        cited = Publication.objects.filter(
            pk__in=Evidence.objects.accepted().values("publication_id"),
            year__isnull=False,
        )
        return [
            Publication.objects.filter(
                pk=Subquery(cited.order_by(*ends).values("pk")[:1])
            )
            .order_by()
            .values(
                facet=Value(YEARS),
                value=Cast("year", CharField()),
                label=Value(""),
                term_id=Value(""),
                n=Value(1),
            )
            for ends in (("year", "pk"), ("-year", "-pk"))
        ]

    @cached_property
    def _terms(self) -> dict[str, dict[str, tuple[str, str]]]:
        """{facet: {slug: (label, ontology id)}} of a multi-valued facet's terms
        that the counting query found (it fills this in), and of those chosen."""
        return {
            name: {slug: (slug, "") for slug in self.values.get(name, ())}
            for name in MULTIPLE
        }

    def _evidence_facet_counts(self, name: str) -> QuerySet:
        """Claims per value of one evidence facet, as rows {"facet", "value",
        "n"}: a claim passing the claim filters and q counts once for each value
        found on its accepted evidence that meets every other evidence filter."""
        if name in MULTIPLE:
            # The terms' labels and identifiers come with their counts.
            terms = TERM_FACETS[name]
            columns = {
                "value": F(f"{terms}__slug"),
                "label": F(f"{terms}__label"),
                "term_id": F(f"{terms}__ontology_id"),
            }
        else:
            columns = {"value": F(name), "label": Value(""), "term_id": Value("")}
        return (
            Evidence.objects.accepted()
            .filter(self.claim_q(prefix="claim__"), self.evidence_q(without=name))
            .order_by()
            .values(facet=Value(name), **columns)
            .annotate(n=Count("claim", distinct=True))
        )


def _label(item: tuple[str, tuple[str, str]]) -> str:
    return item[1][0].lower()

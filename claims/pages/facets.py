"""The browse page's filters: its query string (the API's parameter names) made
into claim querysets, and the number of claims each facet value would leave.

A multi-valued facet (cancer type) takes several values, any of which a record
may report (`?cancer_type=melanoma&cancer_type=glioma`); the others take one.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.db import connection
from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils.text import slugify

from claims.facets import TERM_FACETS
from claims.labels import facet_label, ontology_ids
from claims.models import Claim, Evidence, Publication, Topic, any_term_q
from claims.search import text_search
from claims.status_rules import ClaimStatus

CLAIM_FACETS = ("topic", "status")
EVIDENCE_FACETS = (
    "stance",
    "effect",
    "level",
    "msc_source",
    "species",
    "model",
    "immune_status",
    "delivery",
    "cancer_type",
)
YEAR_PARAMS = ("year_min", "year_max")
# What a claim facet's value is, looked up from a claim.
CLAIM_LOOKUPS = {"topic": "topic__slug", "status": "status"}
# The evidence counts' pseudo-facet holding the years of accepted evidence.
YEARS = "year"
# The query parameters of the browse page, named as the API names them.
PARAMS = (*CLAIM_FACETS, *EVIDENCE_FACETS, *YEAR_PARAMS, "q")
# Facets taking several values (terms, by slug); a record matches any of them.
MULTIPLE = frozenset(TERM_FACETS)
# How many values of a multi-valued facet the page reads.
MAX_VALUES = 20


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
class ClaimFilters:
    """The browse page's filters, parsed from its query string. A
    multi-valued facet's value is a tuple of slugs."""

    values: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    year_min: int | None = None
    year_max: int | None = None
    q: str = ""

    @classmethod
    def from_params(cls, params: Mapping) -> "ClaimFilters":
        """Read the filters; a value no choice allows is ignored, never an error.
        `params` is a QueryDict or a dict (of a string, or a list of them)."""
        values: dict[str, str | tuple[str, ...]] = {}
        for name in (*CLAIM_FACETS, *EVIDENCE_FACETS):
            if name in MULTIPLE:
                if chosen := _several(params, name):
                    values[name] = chosen
                continue
            value = (params.get(name) or "").strip()
            if value and _allowed(name, value):
                values[name] = value
        return cls(
            values=values,
            year_min=_year(params.get("year_min")),
            year_max=_year(params.get("year_max")),
            # A NUL is no character of any word: the database would refuse it.
            q=" ".join((params.get("q") or "").replace("\x00", " ").split())[:200],
        )

    def params(self) -> dict[str, str | list[str]]:
        """The non-empty filters as query parameters, in the API's names; a
        multi-valued facet's as a list."""
        found: dict = {
            k: list(v) if isinstance(v, tuple) else v for k, v in self.values.items()
        }
        if self.year_min is not None:
            found["year_min"] = str(self.year_min)
        if self.year_max is not None:
            found["year_max"] = str(self.year_max)
        if self.q:
            found["q"] = self.q
        return {name: found[name] for name in PARAMS if name in found}

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
    def active(self) -> bool:
        return bool(self.params())

    @cached_property
    def matching_ids(self) -> list[int]:
        """The claims matching q: searched once however often used."""
        found = text_search(Claim.objects.all(), self.q).order_by()
        return list(found.values_list("pk", flat=True))

    def evidence_q(self, *, without: str = "") -> Q:
        """The condition one accepted evidence record must meet."""
        conditions = Q()
        for name, value in self.values.items():
            if name not in EVIDENCE_FACETS or name == without:
                continue
            if name in MULTIPLE:
                conditions &= any_term_q(name, value)
            else:
                conditions &= Q(**{name: value})
        if self.year_min is not None:
            conditions &= Q(publication__year__gte=self.year_min)
        if self.year_max is not None:
            conditions &= Q(publication__year__lte=self.year_max)
        return conditions

    def claims(
        self, queryset: QuerySet, *, without: str = "", ranked: bool = False
    ) -> QuerySet:
        """Claims passing every filter but `without`; evidence filters must all
        hold on one and the same accepted evidence record. Ranked: best match to
        q first, where the database can rank (claims.search)."""
        conditions = self.has_evidence_q(without=without)
        if self.q and ranked:
            queryset = text_search(queryset, self.q)
            conditions &= self.claim_q(without=without, words=False)
        else:
            conditions &= self.claim_q(without=without)
        return queryset.filter(conditions)

    def claim_q(self, *, without: str = "", prefix: str = "", words: bool = True) -> Q:
        """The condition on a claim's own fields: the claim facets but `without`,
        and q unless not `words`. Its lookups start at `prefix` ("claim__" from
        evidence), so a query over another model can put it on the claims it
        joins."""
        conditions = Q()
        for name in CLAIM_FACETS:
            if name in self.values and name != without:
                conditions &= Q(**{prefix + CLAIM_LOOKUPS[name]: self.values[name]})
        if self.q and words:
            conditions &= Q(**{f"{prefix}pk__in": self._matching})
        return conditions

    @cached_property
    def _matching(self) -> list[int] | RawSQL:
        """The claims matching q, for an __in lookup: on PostgreSQL one array
        parameter, unnested. A list of the 11,367 claims matching a common word,
        repeated in the ten parts of the facet counts, took the planner longer
        than the counting (it weighs each value of an IN list); SQLite, which
        has no arrays, takes the list."""
        if connection.vendor == "postgresql":
            return RawSQL("SELECT unnest(%s::bigint[])", (self.matching_ids,))
        return self.matching_ids

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

        Counted by the database in two queries, however many claims, records and
        facets there are: the claims per topic and status, and the claims per
        value of each evidence facet. Reading every accepted record to count in
        Python took over a second and 230 MB for 20,000 claims.
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
        for name in EVIDENCE_FACETS:
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
        topic. Grouped from the topics' side, so the same query reads every
        topic's name, even one whose claims all fail (the chosen one shows at 0).
        """
        passing = self.has_evidence_q(prefix="claims__")
        if self.q:
            passing &= Q(claims__pk__in=self._matching)
        rows = (
            Topic.objects.order_by("review", "position", "name")
            .values_list("slug", "name", "claims__status")
            .annotate(n=Count("claims", filter=passing or None))
        )
        topics: dict[str, str] = {}
        cells = []
        for slug, name, status, n in rows:
            topics[slug] = name
            if n:
                cells.append({"topic": slug, "status": status, "n": n})
        return list(topics.items()), cells

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
        """Claims per value of each evidence facet, and under YEARS the years of
        the papers of accepted evidence, in one UNION ALL query: read once for
        both the facets and the year bounds."""
        branches = [self._evidence_facet_counts(name) for name in EVIDENCE_FACETS]
        # Papers whose id is among the accepted records' (an index holds them):
        # joining every accepted record to its paper instead took twice as long.
        cited = Evidence.objects.accepted().values("publication_id")
        years = (
            Publication.objects.filter(pk__in=cited)
            .order_by()
            .values(
                facet=Value(YEARS),
                value=Cast("year", CharField()),
                label=Value(""),
                term_id=Value(""),
            )
            .annotate(n=Count("pk"))
        )
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for row in branches[0].union(*branches[1:], years, all=True):
            counts[row["facet"]][row["value"]] = row["n"]
            if row["facet"] in MULTIPLE and row["value"] is not None:
                self._terms[row["facet"]][row["value"]] = (row["label"], row["term_id"])
        return counts

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


def _several(params: Mapping, name: str) -> tuple[str, ...]:
    """A multi-valued facet's slugs, each once, in order: a label or a slug in
    any case reads as the slug ("Multiple Myeloma" is multiple-myeloma)."""
    given = params.getlist(name) if hasattr(params, "getlist") else params.get(name)
    given = [given] if isinstance(given, str) else list(given or ())
    slugs = (
        slugify(value)
        for value in given[:MAX_VALUES]
        if isinstance(value, str) and _allowed(name, value)
    )
    return tuple(sorted({slug for slug in slugs if slug}))


def _allowed(name: str, value: str) -> bool:
    if "\x00" in value:
        return False
    if name == "topic":
        return len(value) <= 50
    if name == "status":
        return value in ClaimStatus.values
    if name in MULTIPLE:
        return len(value) <= 100
    return value in dict(Evidence._meta.get_field(name).choices)


def _year(value: str | None) -> int | None:
    try:
        year = int(value or "")
    except ValueError:
        return None
    return year if 1000 <= year <= 9999 else None

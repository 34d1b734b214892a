"""The browse page's filters: its query string (the API's parameter names) made
into claim querysets, and the number of claims each facet value would leave."""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Case, IntegerField, Max, Min, Q, QuerySet, When

from claims.models import Claim, Evidence, Publication, Topic
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
# The query parameters of the browse page, named as the API names them.
PARAMS = (*CLAIM_FACETS, *EVIDENCE_FACETS, *YEAR_PARAMS, "q")


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: tuple[FacetOption, ...]


@dataclass(frozen=True)
class ClaimFilters:
    """The browse page's filters, parsed from its query string."""

    values: dict[str, str] = field(default_factory=dict)
    year_min: int | None = None
    year_max: int | None = None
    q: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> "ClaimFilters":
        """Read the filters; a value no choice allows is ignored, never an error."""
        values = {}
        for name in (*CLAIM_FACETS, *EVIDENCE_FACETS):
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

    def params(self) -> dict[str, str]:
        """The non-empty filters as query parameters, in the API's names."""
        found = dict(self.values)
        if self.year_min is not None:
            found["year_min"] = str(self.year_min)
        if self.year_max is not None:
            found["year_max"] = str(self.year_max)
        if self.q:
            found["q"] = self.q
        return {name: found[name] for name in PARAMS if name in found}

    def querystring(self, *, without: str = "") -> str:
        return urlencode({k: v for k, v in self.params().items() if k != without})

    @property
    def active(self) -> bool:
        return bool(self.params())

    @cached_property
    def matching_ids(self) -> list[int]:
        """The claims matching q, best first: searched once however often used."""
        found = text_search(Claim.objects.all(), self.q)
        return list(found.values_list("pk", flat=True))

    def evidence_q(self, *, without: str = "") -> Q:
        """The condition one accepted evidence record must meet."""
        evidence = {k: v for k, v in self.values.items() if k in EVIDENCE_FACETS}
        conditions = Q(**{k: v for k, v in evidence.items() if k != without})
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
        q first, where the database can rank."""
        if "topic" in self.values and without != "topic":
            queryset = queryset.filter(topic__slug=self.values["topic"])
        if "status" in self.values and without != "status":
            queryset = queryset.filter(status=self.values["status"])
        if self.q:
            queryset = queryset.filter(pk__in=self.matching_ids)
        if self.q and ranked and self.matching_ids:
            rank = [When(pk=pk, then=i) for i, pk in enumerate(self.matching_ids)]
            queryset = queryset.order_by(Case(*rank, output_field=IntegerField()))
        evidence = self.evidence_q(without=without)
        if evidence:
            matching = Evidence.objects.accepted().filter(evidence)
            queryset = queryset.filter(pk__in=matching.values("claim_id"))
        return queryset

    def facets(self) -> list[Facet]:
        """Every facet with, for each value, how many claims it would leave.

        Counted in Python over two small reads (the claims matching the words,
        and their accepted evidence), so the page's queries stay few and fixed
        however many facets there are.
        """
        claims, evidence = self._facet_rows()
        topics = Topic.objects.order_by("review", "position", "name")
        facets = [
            self._facet(
                "topic",
                "Topic",
                self._claim_counts("topic", claims, evidence),
                [(t.slug, t.name) for t in topics],
            ),
            self._facet(
                "status",
                "Status",
                self._claim_counts("status", claims, evidence),
                ClaimStatus.choices,
            ),
        ]
        for name in EVIDENCE_FACETS:
            counts = self._evidence_counts(name, claims, evidence)
            choices = Evidence._meta.get_field(name).choices or [
                (value, value) for value in sorted(counts) if value
            ]
            label = str(Evidence._meta.get_field(name).verbose_name)
            facets.append(self._facet(name, label, counts, choices))
        return facets

    def _facet(self, name, label, counts, choices) -> Facet:
        selected = self.values.get(name, "")
        options = tuple(
            FacetOption(value, str(text), counts.get(value, 0), value == selected)
            for value, text in choices
            if counts.get(value) or value == selected
        )
        return Facet(name, label[:1].upper() + label[1:], options)

    def _facet_rows(self) -> tuple[dict[int, dict], dict[int, list[dict]]]:
        """The claims matching q, by id, and their accepted evidence by claim id."""
        matching = Claim.objects.order_by()
        if self.q:
            matching = matching.filter(pk__in=self.matching_ids)
        claims = {
            pk: {"topic": topic, "status": status}
            for pk, topic, status in matching.values_list("pk", "topic__slug", "status")
        }
        columns = ("claim_id", *EVIDENCE_FACETS, "publication__year")
        rows = Evidence.objects.accepted().order_by().values_list(*columns)
        if self.q:
            rows = rows.filter(claim_id__in=list(claims))
        evidence: dict[int, list[dict]] = defaultdict(list)
        for row in rows:
            evidence[row[0]].append(dict(zip(columns, row, strict=True)))
        return claims, evidence

    def _claim_passes(self, claim: dict, *, without: str = "") -> bool:
        return all(
            claim[k] == v
            for k, v in self.values.items()
            if k in CLAIM_FACETS and k != without
        )

    def _evidence_passes(self, row: dict, *, without: str = "") -> bool:
        year = row["publication__year"]
        if self.year_min is not None and (year is None or year < self.year_min):
            return False
        if self.year_max is not None and (year is None or year > self.year_max):
            return False
        return all(
            row[k] == v
            for k, v in self.values.items()
            if k in EVIDENCE_FACETS and k != without
        )

    def _claim_counts(self, facet: str, claims, evidence) -> dict[str, int]:
        """Claims per value of a claim facet, under every other filter."""
        filtered = bool(self.evidence_q())
        counts: Counter = Counter()
        for pk, claim in claims.items():
            if self._claim_passes(claim, without=facet) and (
                not filtered or any(self._evidence_passes(r) for r in evidence[pk])
            ):
                counts[claim[facet]] += 1
        return counts

    def _evidence_counts(self, facet: str, claims, evidence) -> dict[str, int]:
        """Claims per value of an evidence facet: a claim counts once for each
        value found on its evidence that meets every other evidence filter."""
        counts: Counter = Counter()
        for pk, claim in claims.items():
            if self._claim_passes(claim):
                counts.update(
                    {
                        r[facet]
                        for r in evidence[pk]
                        if self._evidence_passes(r, without=facet)
                    }
                )
        return counts


def year_bounds() -> tuple[int | None, int | None]:
    """The first and last publication year among accepted evidence."""
    bounds = Publication.objects.filter(
        evidence__status=Evidence.Status.ACCEPTED
    ).aggregate(first=Min("year"), last=Max("year"))
    return bounds["first"], bounds["last"]


def _allowed(name: str, value: str) -> bool:
    if "\x00" in value:
        return False
    if name == "topic":
        return len(value) <= 50
    if name == "status":
        return value in ClaimStatus.values
    choices = Evidence._meta.get_field(name).choices
    return value in dict(choices) if choices else len(value) <= 100


def _year(value: str | None) -> int | None:
    try:
        year = int(value or "")
    except ValueError:
        return None
    return year if 1000 <= year <= 9999 else None

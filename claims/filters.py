"""What each query parameter of a claim or evidence list means, declared once.

`ClaimFilter` reads the query string of the browse page (/claims/), of the
API's /api/v1/claims/ and of the export of a view's evidence
(/api/v1/claims/evidence/): the three list the same claims for the same query
string. A value no filter accepts (an unknown choice, a malformed year or
PMID, an unknown topic or cancer type) is an error naming the parameter, never
ignored; so is a parameter nobody reads (`unknown_parameters`).

Each filter is one condition (a Q) on the row it filters, so the same
parameter filters the claims, counts the browse page's facets (every filter
but one) and selects the evidence of a view. The evidence filters, the facets
of EVIDENCE_FACETS (claims/facets.py) and the publication's year, retraction
and PMID, must all hold on one and the same accepted evidence record.
cancer_type takes several terms (`?cancer_type=melanoma&cancer_type=glioma`):
a record reporting any of them matches; a label, or a slug in any case, reads
as the slug.
"""

import datetime
import types
from collections.abc import Iterable, Mapping

from django import forms
from django.db.models import Q, QuerySet
from django.utils.text import slugify
from django_filters import rest_framework as filters
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import IsoDateTimeField, ModelMultipleChoiceField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from claims.facets import EVIDENCE_FACETS
from claims.literature.citations import MAX_PMID
from claims.models import Claim, Evidence, Term, Topic, any_term_q
from claims.search import SEARCH_LIMIT, Search, parse, search, text_search
from claims.status_rules import ClaimKind, ClaimStatus


class ConditionFilter(filters.Filter):
    """A filter that is one condition on a row. `prefix` puts it on a related
    row ("claim__" from evidence, "claims__" from a topic)."""

    def condition(self, value, prefix: str = "") -> Q:
        return Q(**{f"{prefix}{self.field_name}__{self.lookup_expr}": value})

    def filter(self, qs: QuerySet, value) -> QuerySet:
        return qs if value in EMPTY_VALUES else qs.filter(self.condition(value))

    def as_param(self, value) -> str | list[str]:
        """The cleaned value written back as the query string gives it."""
        return str(value)


class ChoiceFilter(ConditionFilter, filters.ChoiceFilter):
    pass


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error, not 'no filter'."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in EMPTY_VALUES:
            return None
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Use true or false.", code="invalid") from None


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanFilter(ConditionFilter):
    field_class = StrictBooleanField

    def as_param(self, value) -> str:
        return "true" if value else "false"


@extend_schema_field(OpenApiTypes.BOOL)
class ConflictFilter(BooleanFilter):
    """Claims (at `path`: "" for a claim itself, "claim__" from evidence) whose
    stored verdict counts papers on both sides, supporting and refuting: the
    papers the status rules count, not evidence records."""

    def __init__(self, **kwargs):
        self.path = kwargs.pop("path", "")
        super().__init__(**kwargs)

    def condition(self, value, prefix: str = "") -> Q:
        at = f"{prefix}{self.path}"
        both = Q(**{f"{at}n_supporting__gt": 0, f"{at}n_refuting__gt": 0})
        return both if value else ~both


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_PMID})
class PmidFilter(ConditionFilter, filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_PMID, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1000, "maximum": 9999})
class YearFilter(ConditionFilter, filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=1000, max_value=9999, **kwargs)


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, in UTC: Python takes offsets PostgreSQL refuses
    (+22:27 was a 500), and a moment at the calendar's very edge, moved to UTC,
    may fall off it (a 400, then)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(
                "That moment is out of range.", code="invalid"
            ) from None


class UpdatedAfterFilter(ConditionFilter, filters.IsoDateTimeFilter):
    """Rows changed after a moment (ISO 8601; without an offset, the portal's
    time zone): what a program that last synchronised then needs to read."""

    field_class = UtcDateTimeField

    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault(
            "help_text",
            "Only rows changed after this moment (ISO 8601, e.g. "
            "2026-12-01T00:00:00Z): what changed since a program last read.",
        )
        super().__init__(lookup_expr="gt", **kwargs)

    def as_param(self, value) -> str:
        return value.isoformat()


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(ConditionFilter, filters.ModelChoiceFilter):
    """An object named by its slug; an unknown slug is an error."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset=queryset, to_field_name="slug", **kwargs)

    def as_param(self, value) -> str:
        return value.slug


class TermSlugsField(ModelMultipleChoiceField):
    """Terms by slug; a label, or a slug in any case, reads as the slug
    ("Multiple Myeloma" is multiple-myeloma). A blank value chooses nothing."""

    def clean(self, value):
        value = [value] if isinstance(value, str) else value
        given = [v for v in value or () if v not in EMPTY_VALUES]
        if not given:
            # Not an empty queryset: filters read [] as "no filter".
            return [] if not self.required else super().clean(given)
        return super().clean([slugify(v) if isinstance(v, str) else v for v in given])


@extend_schema_field(OpenApiTypes.STR)
class TermsFilter(ConditionFilter, filters.ModelMultipleChoiceFilter):
    """Records reporting any of the given terms of a multi-valued facet."""

    field_class = TermSlugsField

    def __init__(self, facet: str, **kwargs):
        self.facet = facet
        kwargs.setdefault(
            "help_text",
            f"Slugs of {Term.Vocabulary(facet).label.lower()} terms (their list is "
            "in GET /api/v1/info); repeat the parameter for any of several.",
        )
        super().__init__(
            queryset=Term.objects.filter(vocabulary=facet),
            to_field_name="slug",
            **kwargs,
        )

    def condition(self, value, prefix: str = "") -> Q:
        return any_term_q(self.facet, [term.slug for term in value])

    def as_param(self, value) -> list[str]:
        return sorted({term.slug for term in value})


SEARCH_BOUND = (
    f" A search lists at most {SEARCH_LIMIT} rows: the best matches, or for a word"
    " found nearly everywhere the first matches in the list's order; add words"
    " or filters to narrow it."
)


class SearchField(forms.CharField):
    """Words, their spaces collapsed; a query claims.search.parse accepts (at
    most MAX_TERMS terms, and something to search for)."""

    def to_python(self, value):
        return " ".join(super().to_python(value).split())

    def validate(self, value):
        super().validate(value)
        if value:
            parse(value)


class SearchFilter(filters.CharFilter):
    """`q`: full-text search, best match first (claims.search)."""

    field_class = SearchField

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Words to search for; best match first.")
        kwargs["help_text"] += SEARCH_BOUND
        super().__init__(max_length=200, **kwargs)

    def filter(self, qs, value):
        return qs if value in EMPTY_VALUES else text_search(qs, value)

    def as_param(self, value) -> str:
        return value


class SearchesLast:
    """A filter set whose `q` comes after every other filter and after the
    ordering. A search lists at most SEARCH_LIMIT rows, so it takes them from
    what the other filters leave; and when the reader chose an ordering, it
    takes the first matches in that order rather than the best ranked."""

    @property
    def chosen(self) -> dict:
        """The cleaned values given, by filter name, in the declared order."""
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value not in EMPTY_VALUES
        }

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        chosen = self.chosen
        for name, value in chosen.items():
            if name not in ("q", "ordering"):
                queryset = self.filters[name].filter(queryset, value)
        return self.search_in_order(queryset, chosen)

    def search_in_order(self, queryset: QuerySet, chosen: dict) -> QuerySet:
        if "ordering" in chosen:
            ordering = self.filters["ordering"]
            queryset = ordering.filter(queryset, chosen["ordering"])
        if "q" in chosen:
            ranked = "ordering" not in chosen
            queryset = self.searched(queryset, chosen["q"], ranked=ranked).rows
        return queryset

    def searched(self, queryset: QuerySet, q: str, *, ranked: bool = True) -> Search:
        """The search of q in these rows, made once per filter set: the browse
        page searches all claims for its facet counts, and, with no other
        filter chosen, its list is that same search."""
        memo = self.__dict__.setdefault("_searched", {})
        key = (str(queryset.query), q, ranked)
        if key not in memo:
            memo[key] = search(queryset, q, ranked=ranked)
        return memo[key]


def _facet_filters() -> dict[str, ConditionFilter]:
    """A filter for each evidence facet of claims/facets.py."""
    found: dict[str, ConditionFilter] = {}
    for facet in EVIDENCE_FACETS:
        if facet.multiple:
            found[facet.name] = TermsFilter(facet.vocabulary or facet.name)
        else:
            choices = Evidence._meta.get_field(facet.field).choices
            found[facet.name] = ChoiceFilter(field_name=facet.field, choices=choices)
    return found


def _evidence_filters(body: dict) -> None:
    body.update(_facet_filters())
    body["year_min"] = YearFilter(field_name="publication__year", lookup_expr="gte")
    body["year_max"] = YearFilter(field_name="publication__year", lookup_expr="lte")
    body["retracted"] = BooleanFilter(field_name="publication__is_retracted")
    body["pmid"] = PmidFilter(field_name="publication__pmid")
    body["__doc__"] = "What one evidence record reports, relative to Evidence."


EvidenceFacets = types.new_class(
    "EvidenceFacets", (filters.FilterSet,), exec_body=_evidence_filters
)
EvidenceFacets.__module__ = __name__
# The filters that must all hold on one and the same accepted evidence record.
EVIDENCE_FILTERS = tuple(EvidenceFacets.base_filters)


class ClaimFilter(SearchesLast, EvidenceFacets):
    """The claims of a query string: the browse page's, the API's, the export's."""

    topic = SlugFilter(Topic.objects.all())
    status = ChoiceFilter(choices=ClaimStatus.choices)
    setting = ChoiceFilter(choices=Claim.Setting.choices)
    kind = ChoiceFilter(choices=ClaimKind.choices)
    thin = BooleanFilter(
        field_name="thin_evidence",
        help_text="Claims whose verdict rests on one paper or on in vitro work alone.",
    )
    has_conflict = ConflictFilter(
        help_text="Claims whose verdict counts papers on both sides, supporting "
        "and refuting (the stored n_supporting and n_refuting are both above 0).",
    )
    updated_after = UpdatedAfterFilter()
    q = SearchFilter()
    ordering = filters.OrderingFilter(
        fields=(
            ("topic__position", "topic"),
            ("position", "position"),
            ("slug", "slug"),
            ("status", "status"),
            ("updated_at", "updated_at"),
        )
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def claim_q(self, *, without: Iterable[str] = (), prefix: str = "") -> Q:
        """The condition on a claim's own fields: every claim filter but those
        `without`, q and ordering aside (they are no condition)."""
        conditions = Q()
        for name, value in self.chosen.items():
            claim_filter = self.filters[name]
            if name in EVIDENCE_FILTERS or name in without:
                continue
            if isinstance(claim_filter, ConditionFilter):
                conditions &= claim_filter.condition(value, prefix)
        return conditions

    def evidence_q(self, *, without: str = "") -> Q:
        """The condition one accepted evidence record must meet: every evidence
        filter but `without`."""
        conditions = Q()
        for name, value in self.chosen.items():
            if name in EVIDENCE_FILTERS and name != without:
                conditions &= self.filters[name].condition(value)
        return conditions

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """Claim filters on the claim; evidence filters on one accepted record;
        then the ordering and q (SearchesLast)."""
        queryset = queryset.filter(self.claim_q())
        if evidence := self.evidence_q():
            matching = Evidence.objects.accepted().filter(evidence)
            queryset = queryset.filter(pk__in=matching.values("claim_id"))
        return self.search_in_order(queryset, self.chosen)

    def evidence(self, queryset: QuerySet | None = None) -> QuerySet:
        """The accepted records (of `queryset`) meeting every evidence filter, on
        the claims listed: the evidence the browse page counts."""
        records = Evidence.objects.accepted() if queryset is None else queryset
        listed = self.filter_queryset(Claim.objects.order_by()).order_by()
        records = records.filter(self.evidence_q())
        if self.chosen.keys() - {"ordering"} - set(EVIDENCE_FILTERS):
            records = records.filter(claim__in=listed.values("pk"))
        return records

    def params(self) -> dict[str, str | list[str]]:
        """The values given, as query parameters: cleaned, so written one way
        (slugs, true/false), in the declared order."""
        found: dict[str, str | list[str]] = {}
        for name, value in self.chosen.items():
            if name == "ordering":
                found[name] = ",".join(value)
            else:
                found[name] = self.filters[name].as_param(value)
        return found


def unknown_parameters(
    filterset: filters.FilterSet, params: Mapping, allowed: Iterable[str] = ()
) -> dict[str, list[str]]:
    """{parameter: messages} for each parameter nobody reads and each value
    its filter refuses; empty when the query string is good."""
    unknown = set(params) - set(filterset.filters) - set(allowed)
    errors = {name: ["Unknown parameter."] for name in sorted(unknown)}
    if not filterset.is_valid():
        errors |= {name: list(msgs) for name, msgs in filterset.errors.items()}
    return errors

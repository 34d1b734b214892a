"""Query-string filters of the list endpoints (django-filter).

A value no filter accepts (an unknown choice, a malformed year or PMID, a
misspelt parameter name) is a 400 naming the parameter, never ignored. On
/claims/, the evidence filters (stance, effect, level, the context facets,
cancer_type, year_min/year_max, retracted, pmid) must all hold on one and the
same accepted evidence record, as on the browse page. cancer_type takes
several terms (`?cancer_type=melanoma&cancer_type=glioma`): a record reporting
any of them matches.
"""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.text import slugify
from django_filters import rest_framework as filters
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import ModelMultipleChoiceField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from claims.literature.citations import MAX_PMID
from claims.models import Claim, Evidence, Publication, Review, Term, Topic, any_term_q
from claims.search import text_search
from claims.status_rules import ClaimKind, ClaimStatus

ALWAYS_ALLOWED = frozenset({"format", "page", "page_size"})


class StrictFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, also refusing query parameters nobody reads."""

    def filter_queryset(self, request, queryset, view):
        if set(request.query_params) <= ALWAYS_ALLOWED:
            # Nothing to filter: building the filter set alone took ~5 ms a request.
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        known = set(filterset.filters) if filterset else set()
        unknown = set(request.query_params) - known - ALWAYS_ALLOWED
        errors = {name: ["Unknown parameter."] for name in sorted(unknown)}
        if filterset is not None and not filterset.is_valid():
            errors |= {name: list(msgs) for name, msgs in filterset.errors.items()}
        if errors:
            raise ValidationError(errors)
        return filterset.qs if filterset is not None else queryset


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
class BooleanFilter(filters.Filter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_PMID})
class PmidFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_PMID, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1000, "maximum": 9999})
class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=1000, max_value=9999, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(filters.ModelChoiceFilter):
    """An object named by its slug; an unknown slug is a 400."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset=queryset, to_field_name="slug", **kwargs)


class TermSlugsField(ModelMultipleChoiceField):
    """Terms by slug; a label, or a slug in any case, reads as the slug
    ("Multiple Myeloma" is multiple-myeloma)."""

    def clean(self, value):
        if value in EMPTY_VALUES:
            # Not an empty queryset: filters read [] as "no filter".
            return [] if not self.required else super().clean(value)
        return super().clean([slugify(v) if isinstance(v, str) else v for v in value])


@extend_schema_field(OpenApiTypes.STR)
class TermsFilter(filters.ModelMultipleChoiceFilter):
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

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(any_term_q(self.facet, [term.slug for term in value]))


class SearchFilter(filters.CharFilter):
    """`q`: full-text search, best match first on PostgreSQL (claims.search)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Words to search for; best match first.")
        super().__init__(max_length=200, **kwargs)

    def filter(self, qs, value):
        return qs if value in EMPTY_VALUES else text_search(qs, value)


def conflicting(key: str = "pk") -> Q:
    """Claims (by `key`) with both supporting and refuting accepted evidence."""
    accepted = Evidence.objects.accepted()
    sides = (Evidence.Stance.SUPPORTS, Evidence.Stance.REFUTES)
    return Q(
        *(
            Q(**{f"{key}__in": accepted.filter(stance=side).values("claim_id")})
            for side in sides
        )
    )


def _has_conflict(key: str):
    def method(queryset: QuerySet, name: str, value: bool) -> QuerySet:
        both = conflicting(key)
        return queryset.filter(both) if value else queryset.exclude(both)

    return method


def _choice(field: str, **kwargs) -> filters.ChoiceFilter:
    return filters.ChoiceFilter(
        choices=Evidence._meta.get_field(field).choices, **kwargs
    )


class EvidenceFacets(filters.FilterSet):
    """What one evidence record reports; names are relative to Evidence."""

    stance = _choice("stance")
    effect = _choice("effect")
    level = _choice("level")
    msc_source = _choice("msc_source")
    species = _choice("species")
    model = _choice("model")
    immune_status = _choice("immune_status")
    delivery = _choice("delivery")
    cancer_type = TermsFilter("cancer_type")
    year_min = YearFilter(field_name="publication__year", lookup_expr="gte")
    year_max = YearFilter(field_name="publication__year", lookup_expr="lte")
    retracted = BooleanFilter(field_name="publication__is_retracted")
    pmid = PmidFilter(field_name="publication__pmid")


FACETS = frozenset(EvidenceFacets.base_filters)


class ClaimFilter(EvidenceFacets):
    topic = SlugFilter(Topic.objects.all())
    status = filters.ChoiceFilter(choices=ClaimStatus.choices)
    setting = filters.ChoiceFilter(choices=Claim.Setting.choices)
    kind = filters.ChoiceFilter(choices=ClaimKind.choices)
    thin = BooleanFilter(
        field_name="thin_evidence",
        help_text="Claims whose verdict rests on one paper or on in vitro work alone.",
    )
    has_conflict = BooleanFilter(
        method=_has_conflict("pk"),
        help_text="Claims with both supporting and refuting accepted evidence.",
    )
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

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """Claim filters on the claim; evidence filters on one accepted record."""
        evidence, narrowed = Evidence.objects.accepted(), False
        for name, value in self.form.cleaned_data.items():
            if value in EMPTY_VALUES:
                continue
            if name in FACETS:
                evidence, narrowed = self.filters[name].filter(evidence, value), True
            else:
                queryset = self.filters[name].filter(queryset, value)
        if narrowed:
            queryset = queryset.filter(pk__in=evidence.values("claim_id"))
        return queryset


class EvidenceFilter(EvidenceFacets):
    claim = SlugFilter(Claim.objects.all())
    topic = SlugFilter(Topic.objects.all(), field_name="claim__topic")
    status = filters.ChoiceFilter(
        field_name="claim__status",
        choices=ClaimStatus.choices,
        help_text="The claim's status, as on /claims/ and the browse page.",
    )
    workflow = filters.ChoiceFilter(
        field_name="status",
        choices=Evidence.Status.choices,
        help_text="The evidence's own workflow status. Anonymous readers see "
        "accepted evidence only.",
    )
    has_conflict = BooleanFilter(
        method=_has_conflict("claim_id"),
        help_text="Evidence on claims with both supporting and refuting evidence.",
    )
    q = SearchFilter()
    ordering = filters.OrderingFilter(
        fields=(
            ("id", "id"),
            ("rating", "rating"),
            ("publication__year", "year"),
            ("claim__slug", "claim"),
            ("updated_at", "updated_at"),
        )
    )

    class Meta:
        model = Evidence
        fields: list[str] = []


def _cited_by(key: str):
    """Publications cited by accepted evidence on the given claim or topic."""

    def method(queryset: QuerySet, name: str, value) -> QuerySet:
        cited = Evidence.objects.accepted().filter(**{key: value})
        return queryset.filter(pk__in=cited.values("publication_id"))

    return method


class PublicationFilter(filters.FilterSet):
    pmid = PmidFilter()
    year_min = YearFilter(field_name="year", lookup_expr="gte")
    year_max = YearFilter(field_name="year", lookup_expr="lte")
    retracted = BooleanFilter(field_name="is_retracted")
    claim = SlugFilter(Claim.objects.all(), method=_cited_by("claim"))
    topic = SlugFilter(Topic.objects.all(), method=_cited_by("claim__topic"))
    q = SearchFilter()
    ordering = filters.OrderingFilter(
        fields=(
            ("pmid", "pmid"),
            ("year", "year"),
            ("first_author", "first_author"),
            ("updated_at", "updated_at"),
        )
    )

    class Meta:
        model = Publication
        fields: list[str] = []


class TopicFilter(filters.FilterSet):
    review = SlugFilter(Review.objects.all())

    class Meta:
        model = Topic
        fields: list[str] = []

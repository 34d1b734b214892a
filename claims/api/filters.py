"""The API's query-string filters (django-filter), and the backend that refuses
what no filter reads.

The claims' filter set is the browse page's own (claims.filters.ClaimFilter);
the others are built from the same filters. A value no filter accepts (an
unknown choice, a malformed year or PMID, a misspelt parameter name) is a 400
naming the parameter, never ignored.
"""

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError

from claims.filters import (
    BooleanFilter,
    ChoiceFilter,
    ConflictFilter,
    EvidenceFacets,
    PmidFilter,
    SearchesLast,
    SearchFilter,
    SlugFilter,
    UpdatedAfterFilter,
    YearFilter,
    unknown_parameters,
)
from claims.models import Claim, Evidence, Publication, Review, Topic
from claims.status_rules import ClaimStatus

ALWAYS_ALLOWED = frozenset({"format", "page", "page_size"})


class StrictFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, also refusing query parameters nobody reads."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) == "export_file":
            # An export endpoint has one format and no pages: asking for
            # either is a mistake to say, not to ignore.
            given = sorted(ALWAYS_ALLOWED & set(request.query_params))
            if given:
                raise ValidationError(
                    {name: ["An export has one format and no pages."] for name in given}
                )
        if set(request.query_params) <= ALWAYS_ALLOWED:
            # Nothing to filter: building the filter set alone took ~5 ms a request.
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            unknown = set(request.query_params) - ALWAYS_ALLOWED
            raise ValidationError({name: ["Unknown parameter."] for name in unknown})
        errors = unknown_parameters(filterset, request.query_params, ALWAYS_ALLOWED)
        if errors:
            raise ValidationError(errors)
        return filterset.qs


class EvidenceFilter(SearchesLast, EvidenceFacets):
    claim = SlugFilter(Claim.objects.all())
    topic = SlugFilter(Topic.objects.all(), field_name="claim__topic")
    status = ChoiceFilter(
        field_name="claim__status",
        choices=ClaimStatus.choices,
        help_text="The claim's status, as on /claims/ and the browse page.",
    )
    workflow = ChoiceFilter(
        field_name="status",
        choices=Evidence.Status.choices,
        help_text="The evidence's own workflow status. Anonymous readers see "
        "accepted evidence only.",
    )
    updated_after = UpdatedAfterFilter()
    has_conflict = ConflictFilter(
        path="claim__",
        help_text="Evidence on claims whose verdict counts papers on both sides, "
        "supporting and refuting.",
    )
    q = SearchFilter(
        help_text="Words to search for in the findings, their claims and papers; "
        "best match first. Unlike /api/v1/claims/evidence/ (the browse page's "
        "export), which lists the evidence of the claims matching the words."
    )
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


class PublicationFilter(SearchesLast, filters.FilterSet):
    pmid = PmidFilter()
    year_min = YearFilter(field_name="year", lookup_expr="gte")
    year_max = YearFilter(field_name="year", lookup_expr="lte")
    retracted = BooleanFilter(field_name="is_retracted")
    updated_after = UpdatedAfterFilter()
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
    updated_after = UpdatedAfterFilter()

    class Meta:
        model = Topic
        fields: list[str] = []


class ReviewFilter(filters.FilterSet):
    updated_after = UpdatedAfterFilter()

    class Meta:
        model = Review
        fields: list[str] = []

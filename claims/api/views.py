"""The API's endpoints: thin views that parse, check access, call a service, render.

Reads are read-only viewsets; every write goes through claims.curation or
claims.literature.citations, so the API obeys exactly the rules the admin does.
"""

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from claims import curation
from claims.api import serializers as s
from claims.api.errors import error_body
from claims.api.filters import (
    ALWAYS_ALLOWED,
    EvidenceFilter,
    PublicationFilter,
    StrictFilterBackend,
    TopicFilter,
)
from claims.api.pagination import CountedBy, PagePagination
from claims.api.permissions import ReadOrRole, visible_evidence
from claims.api.plain import plan
from claims.api.renderers import (
    BibTeXRenderer,
    CSLJSONRenderer,
    CSVRenderer,
    ExportRenderer,
    FormatNegotiation,
    JSONRenderer,
    RISRenderer,
)
from claims.exports import csv_rows
from claims.filters import ClaimFilter, unknown_parameters
from claims.freshness import ConditionalGetMixin
from claims.literature.citations import parse_pmid
from claims.literature.tasks import publications_add
from claims.models import (
    WITHIN_CLAIM,
    Claim,
    Evidence,
    Publication,
    RefreshRun,
    Review,
    Term,
    Topic,
)
from claims.selectors import evidence_counts, evidence_counts_of
from claims.status_rules import RULES_VERSION, ClaimStatus
from claims.vocabulary import shipped_version

EVIDENCE_EXAMPLE = OpenApiExample(
    "A pro-tumor co-injection study",
    request_only=True,
    value={
        "claim": "bm-msc-promote-primary-tumor-growth",
        "publication": 16214129,
        "stance": "supports",
        "effect": "pro_tumor",
        "level": "animal",
        "msc_source": "bone_marrow",
        "species": "human",
        "cancer_types": ["breast-carcinoma"],
        "model": "cell_line_xenograft",
        "immune_status": "immunodeficient",
        "delivery": "co_injection",
        "msc_tumor_ratio": "1:4",
        "finding": "MSC co-injected with the tumor cells enlarged the xenografts.",
        "rating": 4,
    },
)
PUBLICATION_EXAMPLE = OpenApiExample(
    "A paper by its PMID", request_only=True, value={"pmid": 17914389}
)
REJECT_EXAMPLE = OpenApiExample(
    "A reason", request_only=True, value={"reason": "The quote is not in the abstract."}
)
# A cached read is never stale (its key holds the data version); this only lets
# the answers of past versions go.
READ_CACHE_SECONDS = 3600
EXPORT_CHUNK_ROWS = 500
EXPORT_CHUNK_BYTES = 64 * 1024
CITATION_RENDERERS = [RISRenderer, BibTeXRenderer, CSLJSONRenderer]


def _chunks(pieces: Iterable[str]) -> Iterator[bytes]:
    """Join small pieces into ~64 KB writes."""
    buffer, size = [], 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= EXPORT_CHUNK_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    yield "".join(buffer).encode()


def _plain_rows(
    values, columns: list[str], batches: dict[str, Callable[[list], dict]]
) -> Iterator[dict]:
    """Each row of values as {column: value}, a chunk at a time, with the
    serializer's plain_values of the chunk's records (the first column is the
    record's pk)."""
    rows = values.iterator(chunk_size=EXPORT_CHUNK_ROWS)
    while chunk := list(itertools.islice(rows, EXPORT_CHUNK_ROWS)):
        pks = [row[0] for row in chunk]
        found = {name: batch(pks) for name, batch in batches.items()}
        for row in chunk:
            record = dict(zip(columns, row, strict=True))
            yield record | {name: by_pk[row[0]] for name, by_pk in found.items()}


class PortalViewSet(ConditionalGetMixin, viewsets.GenericViewSet):
    """Shared by every endpoint: filters, pages, formats, roles, conditional GET.

    A list in an export format (CSV, RIS, ...) is the whole filtered list,
    streamed; pages are for JSON.
    """

    filter_backends = [StrictFilterBackend]
    content_negotiation_class = FormatNegotiation
    pagination_class = PagePagination
    permission_classes = [ReadOrRole]
    list_renderer_classes: list = [JSONRenderer, CSVRenderer]
    # The actions that list, in pages or as an export.
    list_actions: tuple[str, ...] = ("list",)
    detail_renderer_classes: list = [JSONRenderer]
    export_serializer_classes: dict = {}
    # format -> {column: ORM path}: the export's rows read as plain values, for
    # columns that are a field's value as it is (they must match the serializer).
    export_values: dict[str, dict[str, str]] = {}
    write_permissions: dict[str, str] = {}
    cache_reads = False
    # JSON pages built from plain values (claims.api.plain), not model instances.
    plain_pages = False

    def get_renderers(self):
        if self.action in self.list_actions:
            classes = self.list_renderer_classes
        elif self.action == "retrieve":
            classes = self.detail_renderer_classes
        else:
            classes = [JSONRenderer]
        return [renderer() for renderer in classes]

    def get_serializer_class(self):
        renderer = getattr(self.request, "accepted_renderer", None)
        export = self.export_serializer_classes.get(getattr(renderer, "format", None))
        return export or self.serializer_class

    def list(self, request, *args, **kwargs):
        if isinstance(request.accepted_renderer, ExportRenderer):
            return self.export(request.accepted_renderer)
        return self.read(self.page_data)

    def page_data(self) -> dict:
        queryset = self.filter_queryset(self.get_queryset())
        if not self.plain_pages:
            page = self.paginate_queryset(queryset)
            data = self.get_serializer(page, many=True).data
            return self.get_paginated_response(data).data
        records = plan(self.get_serializer_class())
        values = CountedBy(queryset.values_list(*records.paths), queryset)
        page = self.paginate_queryset(values)
        rows = records.rows(page, self.request, **self.computed(records.pks(page)))
        return self.get_paginated_response(rows).data

    def computed(self, pks: list) -> dict[str, Callable[[Any], Any]]:
        """For each method field of the serializer, its value from a record's pk,
        for the records of one page (pks)."""
        return {}

    def retrieve(self, request, *args, **kwargs):
        response = self.read(self.detail_data)
        renderer = request.accepted_renderer
        if isinstance(renderer, ExportRenderer):
            name = f"{self.basename}-{self.kwargs[self.lookup_field]}"
            disposition = f'attachment; filename="{name}.{renderer.extension}"'
            response.headers["Content-Disposition"] = disposition
        return response

    def detail_data(self) -> dict:
        return self.get_serializer(self.get_object()).data

    def read(self, compute: Callable[[], Any]) -> HttpResponse:
        """The answer to a read; an anonymous JSON one cached under its ETag.

        The ETag holds the data version (claims.freshness), so any change to
        a review, topic, claim, evidence record or paper makes a new key: a
        cached answer is never stale. Only where `cache_reads` is set, and only
        for anonymous readers: what a curator sees also depends on their roles.
        The rendered bytes are cached: the serialized data holds model instances.
        """
        renderer = self.request.accepted_renderer
        if (
            not (self.cache_reads and self.validators)
            or self.request.user.is_authenticated
            or not isinstance(renderer, JSONRenderer)
        ):
            return Response(compute())
        # Links in the answer are absolute: they name the host asked.
        key = f"api-read:{self.validators[0]}:{self.request.build_absolute_uri('/')}"
        body = cache.get(key)
        if body is None:
            context = self.get_renderer_context()
            body = renderer.render(compute(), self.request.accepted_media_type, context)
            cache.set(key, body, READ_CACHE_SECONDS)
        return HttpResponse(body, content_type=renderer.media_type)

    def export(self, renderer: ExportRenderer) -> StreamingHttpResponse:
        """Stream the whole filtered list, one row at a time, in constant memory."""
        queryset = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer()
        columns = self.export_values.get(renderer.format)
        if columns:
            # Plain values: the serializer cost ~150 us a row (16 s per 100,000).
            values = queryset.values_list(*columns.values())
            batches = getattr(type(serializer), "plain_values", {})
            rows = _plain_rows(values, list(columns), batches)
        else:
            rows = (
                serializer.to_representation(obj)
                for obj in queryset.iterator(chunk_size=EXPORT_CHUNK_ROWS)
            )
        response = StreamingHttpResponse(
            _chunks(renderer.stream(rows, list(serializer.fields))),
            content_type=f"{renderer.media_type}; charset=utf-8",
        )
        disposition = f'attachment; filename="{self.basename}.{renderer.extension}"'
        response.headers["Content-Disposition"] = disposition
        return response

    def parsed(self, serializer_class, **kwargs) -> dict:
        """The request body, validated by `serializer_class` (400 otherwise)."""
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def answer(self, instance, status_code: int = status.HTTP_200_OK) -> Response:
        data = self.serializer_class(
            instance, context=self.get_serializer_context()
        ).data
        headers = {"Location": str(data["url"])} if status_code == 201 else {}
        return Response(data, status=status_code, headers=headers)


class ReviewViewSet(PortalViewSet):
    """The source reviews whose claims the portal curates."""

    # Explicit order: Django drops Meta.ordering from GROUP BY queries.
    queryset = (
        Review.objects.select_related("publication")
        .annotate(topic_count=Count("topics"))
        .order_by("pk")
    )
    serializer_class = s.ReviewSerializer
    export_serializer_classes = {"csv": csv_rows.ReviewCsvSerializer}
    lookup_field = "slug"


class TopicViewSet(PortalViewSet):
    """The themes of a review, in the review's order."""

    queryset = (
        Topic.objects.select_related("review")
        .annotate(claim_count=Count("claims"))
        .order_by(*Topic._meta.ordering)
    )
    serializer_class = s.TopicSerializer
    export_serializer_classes = {"csv": csv_rows.TopicCsvSerializer}
    filterset_class = TopicFilter
    lookup_field = "slug"


# What a paper cited from evidence does not show: decoding its JSON fields and
# reading its abstract took most of the time of a claim with 100 records.
UNCITED_PUBLICATION_FIELDS = [
    f"publication__{name}"
    for name in (
        "abstract",
        "abstract_sections",
        "authors",
        "mesh_terms",
        "publication_types",
        "erratum_pmids",
        "expression_of_concern_pmids",
    )
]
ACCEPTED = Q(evidence__status=Evidence.Status.ACCEPTED)
EVIDENCE_COUNTS = {
    "n_accepted": Count("evidence", filter=ACCEPTED),
    **{
        f"n_{stance}": Count("evidence", filter=ACCEPTED & Q(evidence__stance=stance))
        for stance in s.STANCES
    },
    **{
        f"n_{effect}": Count("evidence", filter=ACCEPTED & Q(evidence__effect=effect))
        for effect in s.EFFECTS
    },
}


class ClaimViewSet(PortalViewSet):
    """Claims with their computed status; a claim's detail nests its evidence.

    A page of claims, and the evidence a claim nests, are read as plain values
    (claims.api.plain). A page gets its counts in one query once it is cut,
    and a claim from the evidence it nests (claims.selectors); the CSV export,
    which streams every claim, annotates them. The claims' filters are the
    browse page's (claims.filters.ClaimFilter), and so is /claims/evidence/.
    """

    serializer_class = s.ClaimSerializer
    export_serializer_classes = {"csv": csv_rows.ClaimCsvSerializer}
    filterset_class = ClaimFilter
    lookup_field = "slug"
    cache_reads = True
    plain_pages = True
    list_actions = ("list", "evidence")

    def get_queryset(self):
        claims = Claim.objects.select_related("topic").order_by(*Claim._meta.ordering)
        renderer = getattr(self.request, "accepted_renderer", None)
        if isinstance(renderer, ExportRenderer):
            return claims.annotate(**EVIDENCE_COUNTS)
        return claims

    def filter_queryset(self, queryset):
        """The claims; for /claims/evidence/, the evidence of those claims."""
        if self.action != "evidence":
            return super().filter_queryset(queryset)
        params = self.request.query_params
        filterset = ClaimFilter(params, queryset=queryset)
        if errors := unknown_parameters(filterset, params, ALWAYS_ALLOWED):
            raise ValidationError(errors)
        records = Evidence.objects.accepted().select_related(
            "claim__topic", "publication"
        )
        return filterset.evidence(records.defer(*UNCITED_PUBLICATION_FIELDS))

    @extend_schema(responses=s.EvidenceSerializer(many=True))
    @action(detail=False, url_path="evidence")
    def evidence(self, request, *args, **kwargs):
        """The accepted evidence of the claims listed for the same parameters,
        each record meeting every evidence filter: what the browse page counts,
        and exports (`?format=csv`)."""
        response = self.list(request)
        if "Content-Disposition" in response.headers:
            response.headers["Content-Disposition"] = (
                f'attachment; filename="evidence.{request.accepted_renderer.format}"'
            )
        return response

    @property
    def export_values(self) -> dict[str, dict[str, str]]:
        if self.action == "evidence":
            return {"csv": csv_rows.EVIDENCE_CSV_VALUES}
        return {}

    def detail_data(self) -> dict:
        """The claim and its accepted evidence, each read as plain values."""
        claim = plan(s.ClaimDetailSerializer)
        claims = self.get_queryset().filter(slug=self.kwargs[self.lookup_field])
        try:
            found = list(claims.values_list(*claim.paths)[:1])
        except ValueError:  # a NUL in the slug: a 404, as DRF's get_object answers
            found = []
        if not found:
            raise Http404
        nested = plan(s.ClaimEvidenceSerializer)
        # In one claim, its own order: ordering by the claim joins its topic.
        accepted = Evidence.objects.accepted().filter(claim=claim.pks(found)[0])
        values = accepted.order_by(*WITHIN_CLAIM).values_list(*nested.paths)
        evidence = nested.rows(values, self.request)
        counts = evidence_counts_of((row["stance"], row["effect"]) for row in evidence)
        (data,) = claim.rows(
            found,
            self.request,
            evidence=lambda pk: evidence,
            evidence_counts=lambda pk: s.evidence_counts_body(counts),
        )
        return data

    def computed(self, pks: list) -> dict[str, Callable[[Any], Any]]:
        if self.action == "evidence":
            return {}
        counts = evidence_counts(pks)
        return {"evidence_counts": lambda pk: s.evidence_counts_body(counts[pk])}

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ClaimDetailSerializer
        if self.action == "evidence":
            renderer = getattr(self.request, "accepted_renderer", None)
            if getattr(renderer, "format", None) == "csv":
                return csv_rows.EvidenceCsvSerializer
            return s.EvidenceSerializer
        return super().get_serializer_class()


class EvidenceViewSet(mixins.CreateModelMixin, PortalViewSet):
    """Evidence records; curators and editors write them through the workflow.

    Anonymous readers see accepted evidence; a curator also sees their own
    drafts; an editor sees everything.
    """

    serializer_class = s.EvidenceSerializer
    export_serializer_classes = {"csv": csv_rows.EvidenceCsvSerializer}
    export_values = {"csv": csv_rows.EVIDENCE_CSV_VALUES}
    filterset_class = EvidenceFilter
    cache_reads = True
    plain_pages = True
    http_method_names = ["get", "post", "patch", "head", "options"]
    write_permissions = {
        "create": "claims.add_evidence",
        "partial_update": "claims.change_evidence",
        "submit": "claims.change_evidence",
        "accept": curation.MODERATE_PERMISSION,
        "reject": curation.MODERATE_PERMISSION,
    }

    def get_queryset(self):
        evidence = visible_evidence(self.request.user).select_related(
            "claim__topic", "publication"
        )
        if self.request.method in SAFE_METHODS:
            return evidence.defer(*UNCITED_PUBLICATION_FIELDS)
        return evidence

    @extend_schema(
        request=s.EvidenceWriteSerializer,
        responses={201: s.EvidenceSerializer},
        examples=[EVIDENCE_EXAMPLE],
    )
    def create(self, request, *args, **kwargs):
        """Record evidence as a draft of the requesting curator."""
        fields = self.parsed(s.EvidenceWriteSerializer)
        evidence = curation.evidence_create(by=request.user, **fields)
        return self.answer(evidence, status.HTTP_201_CREATED)

    @extend_schema(request=s.EvidenceWriteSerializer, responses=s.EvidenceSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change fields; a curator only on their own drafts."""
        evidence = self.get_object()
        fields = self.parsed(s.EvidenceWriteSerializer, partial=True)
        evidence = curation.evidence_update(
            evidence=evidence, by=request.user, **fields
        )
        return self.answer(evidence)

    @extend_schema(request=None, responses=s.EvidenceSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """Send a draft (or rejected evidence) to the editors."""
        evidence = curation.evidence_submit(evidence=self.get_object(), by=request.user)
        return self.answer(evidence)

    @extend_schema(request=s.ReasonSerializer, responses=s.EvidenceSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """Accept submitted evidence (editors); it counts toward the claim's status."""
        reason = self.parsed(s.ReasonSerializer)["reason"]
        evidence = curation.evidence_accept(
            evidence=self.get_object(), by=request.user, reason=reason
        )
        return self.answer(evidence)

    @extend_schema(
        request=s.RejectSerializer,
        responses=s.EvidenceSerializer,
        examples=[REJECT_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        """Reject submitted or accepted evidence with a reason (editors)."""
        reason = self.parsed(s.RejectSerializer)["reason"]
        evidence = curation.evidence_reject(
            evidence=self.get_object(), by=request.user, reason=reason
        )
        return self.answer(evidence)


class PublicationViewSet(mixins.CreateModelMixin, PortalViewSet):
    """PubMed papers, by PMID; also as RIS, BibTeX and CSL-JSON."""

    queryset = Publication.objects.all()
    serializer_class = s.PublicationSerializer
    export_serializer_classes = {"csv": csv_rows.PublicationCsvSerializer}
    filterset_class = PublicationFilter
    lookup_field = "pmid"
    list_renderer_classes = [JSONRenderer, CSVRenderer, *CITATION_RENDERERS]
    detail_renderer_classes = [JSONRenderer, *CITATION_RENDERERS]
    write_permissions = {"create": "claims.add_publication"}

    def get_object(self):
        try:
            self.kwargs["pmid"] = parse_pmid(self.kwargs["pmid"])
        except DjangoValidationError as error:
            raise ValidationError({"pmid": error.messages}) from None
        return super().get_object()

    @extend_schema(
        request=s.PublicationCreateSerializer,
        responses={201: s.PublicationSerializer, 200: s.PublicationSerializer},
        examples=[PUBLICATION_EXAMPLE],
    )
    def create(self, request, *args, **kwargs):
        """Add a paper by PMID (201) and fetch it from PubMed; 200 if already here."""
        pmid = self.parsed(s.PublicationCreateSerializer)["pmid"]
        known = Publication.objects.filter(pmid=pmid).exists()
        (publication,) = publications_add(pmids=[pmid], trigger=RefreshRun.Trigger.API)
        return self.answer(publication, status.HTTP_200_OK if known else 201)


class InfoView(ConditionalGetMixin, APIView):
    """The data version (time of the last change), the rules version, the
    controlled vocabularies, counts."""

    content_negotiation_class = FormatNegotiation
    permission_classes = [ReadOrRole]

    @extend_schema(responses=s.InfoSerializer)
    def get(self, request):
        version = self.version
        by_status = dict(
            Claim.objects.order_by().values_list("status").annotate(n=Count("pk"))
        )
        counts = dict(version.rows, evidence=Evidence.objects.accepted().count())
        vocabulary: dict = {name: [] for name in Term.Vocabulary.values}
        for term in Term.objects.all():
            vocabulary[term.vocabulary].append(term)
        info = {
            "data_version": version.last_change,
            "rules_version": RULES_VERSION,
            "vocabulary": {"version": shipped_version(), **vocabulary},
            "counts": counts,
            "claims_by_status": {st: by_status.get(st, 0) for st in ClaimStatus.values},
        }
        return Response(s.InfoSerializer(info).data)


@csrf_exempt  # a POST to a wrong URL is a 404, not a CSRF failure page
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any other URL under /api/v1/: a 404 in the API's error shape."""
    body = error_body(NotFound(), status.HTTP_404_NOT_FOUND)
    return JsonResponse({"error": body}, status=status.HTTP_404_NOT_FOUND)

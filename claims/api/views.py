"""The API's endpoints: thin views that parse, check access, call a service, render.

Reads are read-only viewsets; every write goes through claims.curation or
claims.literature.citations, so the API obeys exactly the rules the admin does.
"""

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.http import (
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from claims import curation
from claims.api import serializers as s
from claims.api.conditional import ConditionalGetMixin
from claims.api.errors import error_body
from claims.api.filters import (
    ALWAYS_ALLOWED,
    EvidenceFilter,
    PublicationFilter,
    ReviewFilter,
    StrictFilterBackend,
    TopicFilter,
)
from claims.api.pagination import CountedBy, PagePagination
from claims.api.permissions import ReadOrRole, visible_evidence
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
from claims.exports.plans import plan
from claims.exports.shapes import accepted_evidence_of, evidence_counts_body
from claims.filters import ClaimFilter, unknown_parameters
from claims.freshness import cache_key, cached_response
from claims.literature.citations import parse_pmid
from claims.literature.tasks import publications_add
from claims.models import (
    Claim,
    Evidence,
    Publication,
    RefreshRun,
    Review,
    Term,
    Topic,
)
from claims.selectors import claim_slug_now, evidence_counts_of
from claims.status_rules import RULES_VERSION, ClaimStatus
from claims.vocabulary import shipped_version
from portal.redirects import moved_permanently

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
    list_actions: tuple[str, ...] = ("list", "export_file")
    detail_renderer_classes: list = [JSONRenderer]
    # The list's CSV (claims.exports.csv_rows): its records' plan, flattened.
    csv_table: csv_rows.Table
    write_permissions: dict[str, str] = {}
    cache_reads = False

    # Set by the export URLs (claims.api.urls): the one format an export
    # endpoint answers in.
    export_format = ""

    @classmethod
    def export_renderers(cls) -> list[type[ExportRenderer]]:
        """The list's export formats (every one but JSON)."""
        return [r for r in cls.list_renderer_classes if issubclass(r, ExportRenderer)]

    def get_format_suffix(self, **kwargs):
        """An export endpoint (/api/v1/<list>/export.<ext>) answers in its one
        format, as if asked with ?format=; its errors are JSON, as theirs are."""
        if self.export_format and self.action == "export_file":
            return self.export_format
        return super().get_format_suffix(**kwargs)

    def export_file(self, request, *args, **kwargs):
        """The whole filtered list in one export format, streamed: an operation
        of its own, so that a generated client reads it as a file."""
        return self.list(request, *args, **kwargs)

    def get_renderers(self):
        if self.action == "export_file":
            chosen = [
                r for r in self.export_renderers() if r.format == self.export_format
            ]
            classes = [*chosen, JSONRenderer]
        elif self.action in self.list_actions:
            classes = self.list_renderer_classes
        elif self.action == "retrieve":
            classes = self.detail_renderer_classes
        else:
            classes = [JSONRenderer]
        return [renderer() for renderer in classes]

    def list(self, request, *args, **kwargs):
        if isinstance(request.accepted_renderer, ExportRenderer):
            return self.export(request.accepted_renderer)
        return self.read(self.page_data)

    def page_data(self) -> dict:
        """A page of records, read by the plan of the list's shape."""
        queryset = self.filter_queryset(self.get_queryset())
        records = plan(self.get_serializer_class())
        values = CountedBy(queryset.values_list(*records.paths), queryset)
        page = self.paginate_queryset(values)
        return self.get_paginated_response(records.rows(page, self.request)).data

    def retrieve(self, request, *args, **kwargs):
        response = self.read(self.detail_data)
        renderer = request.accepted_renderer
        if isinstance(renderer, ExportRenderer):
            name = f"{self.basename}-{self.kwargs[self.lookup_field]}"
            disposition = f'attachment; filename="{name}.{renderer.extension}"'
            response.headers["Content-Disposition"] = disposition
        return response

    def detail_data(self) -> dict:
        lookup = {self.lookup_field: self.kwargs[self.lookup_field]}
        queryset = self.filter_queryset(self.get_queryset())
        return self.record(queryset, lookup, **self.detail_computed())

    def detail_computed(self) -> dict[str, Callable[[Any], Any]]:
        """Extra values of a detail the view has at hand (else the plan reads them)."""
        return {}

    def record(self, queryset, lookup: dict, **computed: Callable[[Any], Any]) -> dict:
        """The record of queryset that lookup finds, read by the plan of the
        detail's shape; a 404 if there is none."""
        records = plan(self.get_serializer_class())
        try:
            values = list(queryset.filter(**lookup).values_list(*records.paths)[:1])
        except (TypeError, ValueError, DjangoValidationError):
            # An id that is no number, a NUL in a slug: a 404, as get_object's.
            values = []
        if not values:
            raise Http404
        (data,) = records.rows(values, self.request, **computed)
        return data

    def read(self, compute: Callable[[], Any]) -> HttpResponse:
        """The answer to a read; an anonymous JSON one from the versioned cache.

        Its key holds the ETag (claims.freshness.cache_key), so any change to a
        review, topic, claim, evidence record or paper makes a new key: a cached
        answer is never stale. Only where `cache_reads` is set, and only for
        anonymous readers: what a curator sees also depends on their roles.
        """
        renderer = self.request.accepted_renderer
        if (
            not (self.cache_reads and self.validators)
            or self.request.user.is_authenticated
            or not isinstance(renderer, JSONRenderer)
        ):
            return Response(compute())

        def render() -> HttpResponse:
            context = self.get_renderer_context()
            body = renderer.render(compute(), self.request.accepted_media_type, context)
            return HttpResponse(body, content_type=renderer.media_type)

        return cached_response(cache_key(self.validators, self.request), render)

    def export(self, renderer: ExportRenderer) -> StreamingHttpResponse:
        """Stream the whole filtered list, one row at a time, in constant memory."""
        queryset = self.filter_queryset(self.get_queryset())
        if isinstance(renderer, CSVRenderer):
            rows = self.csv_table.stream(queryset, self.request)
            columns = list(self.csv_table.columns)
        else:
            records = plan(self.serializer_class)
            rows = records.stream(queryset, self.request)
            columns = list(self.serializer_class().fields)
        response = StreamingHttpResponse(
            _chunks(renderer.stream(rows, columns)),
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
        """The record a write left, as a read of it shows it."""
        data = self.record(type(instance).objects, {"pk": instance.pk})
        headers = {"Location": str(data["url"])} if status_code == 201 else {}
        return Response(data, status=status_code, headers=headers)


class ReviewViewSet(PortalViewSet):
    """The source reviews whose claims the portal curates."""

    queryset = Review.objects.order_by("pk")
    serializer_class = s.ReviewSerializer
    filterset_class = ReviewFilter
    csv_table = csv_rows.REVIEWS
    lookup_field = "slug"


class TopicViewSet(PortalViewSet):
    """The themes of a review, in the review's order."""

    queryset = Topic.objects.all()
    serializer_class = s.TopicSerializer
    csv_table = csv_rows.TOPICS
    filterset_class = TopicFilter
    lookup_field = "slug"


class ClaimViewSet(PortalViewSet):
    """Claims with their computed status; a claim's detail nests its evidence.

    Each read by its plan (claims.exports.plans); a claim's counts are its
    nested records', counted in memory. The claims' filters are the browse
    page's (claims.filters.ClaimFilter), and so are /claims/evidence/'s.
    """

    serializer_class = s.ClaimSerializer
    filterset_class = ClaimFilter
    lookup_field = "slug"
    cache_reads = True
    list_actions = ("list", "export_file", "evidence")

    def get_queryset(self):
        return Claim.objects.order_by(*Claim._meta.ordering)

    def retrieve(self, request, *args, **kwargs):
        """A claim; a 301 to the claim that now holds a retired slug."""
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            if (now := claim_slug_now(self.kwargs["slug"])) is None:
                raise
        url = request.build_absolute_uri(reverse("api:claim-detail", args=[now]))
        return moved_permanently(request, url)

    def detail_computed(self) -> dict[str, Callable[[Any], Any]]:
        """The claim's accepted evidence, and its counts from those records."""

        @functools.cache
        def evidence(pk) -> list[dict]:
            return accepted_evidence_of([pk], self.request)[pk]

        def counts(pk) -> dict:
            found = ((row["stance"], row["effect"]) for row in evidence(pk))
            return evidence_counts_body(evidence_counts_of(found))

        return {"evidence": evidence, "evidence_counts": counts}

    def filter_queryset(self, queryset):
        """The claims; for /claims/evidence/, the evidence of those claims."""
        if self.action != "evidence":
            return super().filter_queryset(queryset)
        params = self.request.query_params
        filterset = ClaimFilter(params, queryset=queryset)
        if errors := unknown_parameters(filterset, params, ALWAYS_ALLOWED):
            raise ValidationError(errors)
        return filterset.evidence(Evidence.objects.accepted())

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
    def csv_table(self) -> csv_rows.Table:  # type: ignore[override]
        return csv_rows.EVIDENCE if self.action == "evidence" else csv_rows.CLAIMS

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ClaimDetailSerializer
        if self.action == "evidence":
            return s.EvidenceSerializer
        return super().get_serializer_class()


class EvidenceViewSet(mixins.CreateModelMixin, PortalViewSet):
    """Evidence records; curators and editors write them through the workflow.

    Anonymous readers see accepted evidence; a curator also sees their own
    drafts; an editor sees everything.
    """

    serializer_class = s.EvidenceSerializer
    csv_table = csv_rows.EVIDENCE
    filterset_class = EvidenceFilter
    cache_reads = True
    http_method_names = ["get", "post", "patch", "head", "options"]
    write_permissions = {
        "create": "claims.add_evidence",
        "partial_update": "claims.change_evidence",
        "submit": "claims.change_evidence",
        "accept": curation.MODERATE_PERMISSION,
        "reject": curation.MODERATE_PERMISSION,
    }

    def get_queryset(self):
        return visible_evidence(self.request.user)

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
        return self.decide(curation.evidence_accept, s.ReasonSerializer)

    @extend_schema(
        request=s.RejectSerializer,
        responses=s.EvidenceSerializer,
        examples=[REJECT_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        """Reject submitted or accepted evidence with a reason (editors)."""
        return self.decide(curation.evidence_reject, s.RejectSerializer)

    def decide(self, decision, reason_serializer):
        """An editor's accept or reject, with the reason the request gives."""
        reason = self.parsed(reason_serializer)["reason"]
        by = self.request.user
        return self.answer(decision(evidence=self.get_object(), by=by, reason=reason))


class PublicationViewSet(mixins.CreateModelMixin, PortalViewSet):
    """PubMed papers, by PMID; also as RIS, BibTeX and CSL-JSON."""

    queryset = Publication.objects.all()
    serializer_class = s.PublicationSerializer
    csv_table = csv_rows.PUBLICATIONS
    filterset_class = PublicationFilter
    lookup_field = "pmid"
    list_renderer_classes = [JSONRenderer, CSVRenderer, *CITATION_RENDERERS]
    detail_renderer_classes = [JSONRenderer, *CITATION_RENDERERS]
    write_permissions = {"create": "claims.add_publication"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if "pmid" in self.kwargs:
            try:
                self.kwargs["pmid"] = parse_pmid(self.kwargs["pmid"])
            except DjangoValidationError as error:
                raise ValidationError({"pmid": error.messages}) from None

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

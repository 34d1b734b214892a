"""The reader's pages: each view reads, calls a domain module, and renders."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from claims import search as search_engine
from claims import status_rules
from claims.disagreement import explain_disagreement
from claims.exports import linked_data
from claims.exports.citation_formats import highwire
from claims.exports.plans import plan
from claims.exports.shapes import PublicationSerializer
from claims.filters import ClaimFilter, SearchField, unknown_parameters
from claims.freshness import data_version
from claims.labels import facet_label, value_label
from claims.models import Claim, Evidence, Publication, Review, Topic
from claims.pages.facets import ClaimFilters
from claims.pages.page_cache import cached_page
from claims.search import parse
from claims.search.site import SEARCH_PAGE_PARAMS, search_site
from claims.selectors import claim_slug_now, evidence_facts, verdict_of
from claims.status_rules import (
    CLAIM_KINDS,
    HUMAN_LEVELS,
    IN_VIVO_LEVELS,
    SEPARATING_FACETS,
    ClaimKind,
    ClaimStatus,
    LeftOut,
    left_out,
)
from portal.redirects import moved_permanently

PAGE_SIZE = 50
# The evidence the browse page counts, as CSV; it takes the page's parameters.
EXPORT_URL = "/api/v1/claims/evidence/?format=csv"
# Parameters of the page alone, beside the filters (claims.filters.ClaimFilter).
PAGE_PARAMS = frozenset({"page"})
DISPUTED = (ClaimStatus.CONTESTED, ClaimStatus.CONTEXT_DEPENDENT)
# Column heads of the home page's status table on a phone.
STATUS_ABBREVIATIONS = {
    ClaimStatus.ESTABLISHED: "Est",
    ClaimStatus.SUPPORTED: "Sup",
    ClaimStatus.CONTEXT_DEPENDENT: "Ctx",
    ClaimStatus.CONTESTED: "Con",
    ClaimStatus.REFUTED: "Ref",
    ClaimStatus.INSUFFICIENT: "Ins",
    ClaimStatus.NOT_ASSESSED: "N/A",
}
STANCE_ORDER = Case(
    *(When(stance=s, then=i) for i, s in enumerate(Evidence.Stance.values)),
    output_field=IntegerField(),
)


@cached_page
def home(request):
    review = Review.objects.select_related("publication").order_by("pk").first()
    topics = list(Topic.objects.annotate(n_claims=Count("claims")))
    counts = Claim.objects.order_by().values_list("topic_id", "status")
    disputed = Claim.objects.contested().select_related("topic")
    cited = Publication.objects.filter(
        evidence__status=Evidence.Status.ACCEPTED
    ).distinct()
    n_cited, n_confirmed = cited.count(), cited.confirmed().count()
    return render(
        request,
        "claims/home.html",
        {
            "review": review,
            "cited": n_cited,
            "awaiting": n_cited - n_confirmed,
            "topics": topics,
            "overview": _status_overview(topics, counts.annotate(n=Count("pk"))),
            "disputed": disputed,
            "linked_data": _dataset(request, review),
        },
    )


def _dataset(request, review: Review | None) -> dict:
    """The portal's content as a schema.org Dataset, based on its review."""
    absolute = request.build_absolute_uri
    # cached_page keeps it for a GET or HEAD; any other method reads it anew.
    version = getattr(request, "data_version", None) or data_version()
    last = version.last_change
    based_on = {}
    if review is not None:
        paper = review.publication
        based_on = {
            "@type": "ScholarlyArticle",
            "@id": absolute(reverse("claims:publication_detail", args=[paper.pmid])),
            "name": paper.shown_title,
        }
    return linked_data.dataset(
        name="MSC evidence portal",
        description=(
            "The claims of a review of bone marrow-derived mesenchymal stem "
            "cells in the tumor microenvironment, each with the curated "
            "evidence behind it and its computed status."
        ),
        url=absolute(reverse("claims:home")),
        updated=last.isoformat() if last else "",
        based_on=based_on,
        csv=absolute(EXPORT_URL),
    )


def _status_overview(topics, counts) -> dict:
    """Claims per topic and status, with totals: the review's map."""
    cells = {(topic_id, status): n for topic_id, status, n in counts}
    rows = [
        (topic, [(s, cells.get((topic.pk, s.value), 0)) for s in ClaimStatus])
        for topic in topics
    ]
    totals = [sum(row[i][1] for _, row in rows) for i in range(len(ClaimStatus))]
    return {
        "statuses": [(s, STATUS_ABBREVIATIONS[s]) for s in ClaimStatus],
        "rows": rows,
        "totals": list(zip(ClaimStatus, totals, strict=True)),
        "total": sum(totals),
    }


@cached_page
def claim_list(request):
    """The claims /api/v1/claims/ lists for the same query string, in its order,
    with facet counts; a bad query string is a 400 naming each bad parameter."""
    filterset = ClaimFilter(request.GET, queryset=Claim.objects.select_related("topic"))
    if errors := unknown_parameters(filterset, request.GET, PAGE_PARAMS):
        return bad_query(request, errors)
    filters = ClaimFilters(filterset)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "claims/claim_list.html",
        {
            "filters": filters,
            "facets": filters.facets(),
            "page": page,
            "year_bounds": filters.year_bounds(),
            "export_url": _export_url(filters.querystring()),
            # The words a search found, to mark them in the statements.
            "query": parse(q) if (q := filterset.form.cleaned_data.get("q")) else None,
            # A search lists at most SEARCH_LIMIT claims.
            "listed_capped": bool(q)
            and page.paginator.count >= search_engine.SEARCH_LIMIT,
            "search_limit": search_engine.SEARCH_LIMIT,
        },
    )


def bad_query(request, errors: dict[str, list[str]]):
    return render(request, "claims/bad_query.html", {"errors": errors}, status=400)


def _export_url(querystring: str) -> str:
    return f"{EXPORT_URL}&{querystring}" if querystring else EXPORT_URL


@cached_page
def claim_detail(request, slug: str):
    claim = Claim.objects.select_related("topic").filter(slug=slug).first()
    if claim is None:
        # A claim merged or renamed: its old links go to the claim now.
        if (now := claim_slug_now(slug)) is None:
            raise Http404("No such claim.")
        return moved_permanently(request, reverse("claims:claim_detail", args=[now]))
    evidence = list(
        claim.evidence.accepted()
        .select_related("publication")
        .prefetch_related("cancer_types")
        .order_by(STANCE_ORDER, "publication__year", "pk")
    )
    verdict = verdict_of(claim=claim, evidence=evidence)
    separation = verdict.separation if verdict.rule == "R3" else None
    papers = paper_groups(evidence)
    # What a reader sees changed last: the claim or one of its accepted records
    # (a record accepted, edited or its cancer types changed touches its row).
    last_updated = max([claim.updated_at, *(e.updated_at for e in evidence)])
    return render(
        request,
        "claims/claim_detail.html",
        {
            "claim": claim,
            "evidence": evidence,
            "papers": papers,
            "claim_url": request.build_absolute_uri(request.path),
            "last_updated": last_updated,
            "linked_data": linked_data.claim(
                statement=claim.statement,
                url=request.build_absolute_uri(request.path),
                status=claim.get_status_display(),
                reason=claim.status_reason,
                updated=last_updated.isoformat(),
                papers=[
                    (
                        request.build_absolute_uri(
                            reverse("claims:publication_detail", args=[p.pmid])
                        ),
                        p.shown_title,
                    )
                    for p in (group.publication for group in papers)
                ],
            ),
            "min_rating": status_rules.MIN_COUNTED_RATING,
            "disagreement": (
                explain_disagreement(evidence, separation)
                if claim.status in DISPUTED
                else None
            ),
        },
    )


@dataclass(frozen=True)
class PaperGroup:
    """One paper cited by a claim, with its findings and why they do not count."""

    publication: Publication
    findings: tuple[tuple[Evidence, str], ...]  # (record, LeftOut label or "")

    @property
    def counted(self) -> bool:
        return any(not why for _, why in self.findings)

    @property
    def awaiting(self) -> str:
        """Why PubMed has not confirmed the paper yet, or ""."""
        why = self.publication.awaiting_verification
        return LeftOut(why).label if why else ""


def paper_groups(evidence: list[Evidence]) -> list[PaperGroup]:
    """The claim's findings listed under their papers, in the records' order."""
    grouped: dict[int, list[tuple[Evidence, str]]] = {}
    for record in evidence:
        why = left_out(evidence_facts(record))
        grouped.setdefault(record.publication_id, []).append(
            (record, why.label if why else "")
        )
    return [
        PaperGroup(findings[0][0].publication, tuple(findings))
        for findings in grouped.values()
    ]


def evidence_permalink(request, pk: int):
    """A finding's stable address: its claim's page, at the finding, wherever
    the claim now is; only for findings a reader may see (accepted)."""
    record = get_object_or_404(
        Evidence.objects.accepted().select_related("claim"), pk=pk
    )
    url = reverse("claims:claim_detail", args=[record.claim.slug])
    return redirect(f"{url}#evidence-{record.pk}")


# The citation formats a paper's page links to, with their media types: the
# API's detail of the paper in each.
CITATION_LINKS = (
    ("bibtex", "BibTeX", "application/x-bibtex"),
    ("ris", "RIS", "application/x-research-info-systems"),
    ("csljson", "CSL-JSON", "application/vnd.citationstyles.csl+json"),
)


@cached_page
def publication_detail(request, pmid: int):
    publication = get_object_or_404(Publication, pmid=pmid)
    evidence = (
        publication.evidence.accepted()
        .select_related("claim__topic")
        .order_by("claim__topic__position", "claim__position", STANCE_ORDER)
    )
    api_url = reverse("api:publication-detail", kwargs={"pmid": pmid})
    data = _publication_data(publication, request)
    # Before PubMed's title arrives, the curators' checked title, as the page.
    data["title"] = publication.shown_title
    return render(
        request,
        "claims/publication_detail.html",
        {
            "publication": publication,
            "evidence": evidence,
            "is_source_review": Review.objects.filter(publication=publication).exists(),
            "is_review_article": "Review" in publication.publication_types,
            # As the API serializes it: the exports' one source.
            "citation_meta": highwire(data),
            "linked_data": linked_data.scholarly_article(
                data, request.build_absolute_uri(request.path)
            ),
            "citation_links": [
                (f"{api_url}?format={fmt}", name, media)
                for fmt, name, media in CITATION_LINKS
            ],
        },
    )


def _publication_data(publication: Publication, request) -> dict:
    """The paper as the API serializes it (its shape's plan, one query)."""
    records = plan(PublicationSerializer)
    rows = Publication.objects.filter(pk=publication.pk).values_list(*records.paths)
    (data,) = records.rows(rows, request)
    return data


@cached_page
def topic_list(request):
    topics = (
        Topic.objects.select_related("review__publication")
        .annotate(n_claims=Count("claims"))
        .order_by("review", "position", "name")
    )
    return render(request, "claims/topic_list.html", {"topics": topics})


# Papers a page on /publications/.
PAPERS_PAGE_SIZE = 50


@cached_page
def publication_list(request):
    page = Paginator(
        Publication.objects.order_by(F("year").desc(nulls_last=True), "pmid").only(
            "pmid",
            "title",
            "title_html",
            "curated_title",
            "first_author",
            "journal",
            "year",
            "is_retracted",
            "metadata_state",
        ),
        PAPERS_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    findings = dict(
        Evidence.objects.accepted()
        .filter(publication__in=[paper.pk for paper in page])
        .order_by()
        .values_list("publication")
        .annotate(n=Count("pk"))
    )
    papers = [(paper, findings.get(paper.pk, 0)) for paper in page]
    return render(
        request, "claims/publication_list.html", {"page": page, "papers": papers}
    )


def robots_txt(request):
    """Crawl the pages, not the API, the admin or the endless search results;
    the sitemap lists every page."""
    sitemap = request.build_absolute_uri(reverse("claims:sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /search/",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@cached_page
def topic_detail(request, slug: str):
    topic = get_object_or_404(Topic.objects.select_related("review"), slug=slug)
    claims = list(topic.claims.select_related("topic"))
    query = urlencode({"topic": topic.slug})
    return render(
        request,
        "claims/topic_detail.html",
        {
            "topic": topic,
            "claims": claims,
            "msc_claims": [c for c in claims if c.kind != ClaimKind.BACKGROUND],
            "background": [c for c in claims if c.kind == ClaimKind.BACKGROUND],
            "browse_query": query,
            "export_url": _export_url(query),
        },
    )


@cached_page
def search(request):
    try:
        q = SearchField(max_length=200, required=False).clean(request.GET.get("q"))
    except ValidationError as error:
        return bad_query(request, {"q": error.messages})
    query = parse(q)
    pages = {p: _page_number(request.GET.get(p)) for p in SEARCH_PAGE_PARAMS.values()}
    return render(
        request,
        "claims/search.html",
        {
            "q": q,
            "query": query,
            "results": search_site(query, pages=pages) if query else None,
            "browse_query": urlencode({"q": q}),
        },
    )


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 6 else 1


@cached_page
def methods(request):
    field = Evidence._meta.get_field
    return render(
        request,
        "claims/methods.html",
        {
            "rules": status_rules,
            "kinds": [(ClaimKind(k).label, text) for k, text in CLAIM_KINDS.items()],
            "left_out": LeftOut.choices,
            "in_vivo": sorted(value_label("level", v) for v in IN_VIVO_LEVELS),
            "human": sorted(value_label("level", v) for v in HUMAN_LEVELS),
            "facets": [facet_label(f) for f in SEPARATING_FACETS],
            "definitions": [
                (field(name).verbose_name, field(name).help_text, field(name).choices)
                for name in ("stance", "effect", "level")
            ],
        },
    )

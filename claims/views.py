"""The reader's pages: each view reads, calls a domain module, and renders."""

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, When
from django.shortcuts import get_object_or_404, render

from claims.counts import paper_counts_attach
from claims.disagreement import explain_disagreement, facet_label, value_label
from claims.facets import ClaimFilters
from claims.models import Claim, Evidence, Publication, Review, Topic
from claims.page_cache import cached_page
from claims.search import search_site
from claims.services import evidence_facts
from claims.status_rules import (
    ESTABLISHED_MIN_PAPERS,
    IN_VIVO_LEVELS,
    SEPARATING_FACETS,
    ClaimStatus,
    compute_status,
)
from claims.templatetags.portal import published_rules

PAGE_SIZE = 50
SEARCH_LIMIT = 20
# The API engineer's evidence export; it takes the browse page's parameters.
EXPORT_URL = "/api/v1/evidence/?format=csv"
DISPUTED = (ClaimStatus.CONTESTED, ClaimStatus.CONTEXT_DEPENDENT)
# Column heads of the home page's status table on a phone.
STATUS_ABBREVIATIONS = {
    ClaimStatus.ESTABLISHED: "Est",
    ClaimStatus.SUPPORTED: "Sup",
    ClaimStatus.CONTEXT_DEPENDENT: "Ctx",
    ClaimStatus.CONTESTED: "Con",
    ClaimStatus.REFUTED: "Ref",
    ClaimStatus.INSUFFICIENT: "Ins",
}
STANCE_ORDER = Case(
    *(When(stance=s, then=i) for i, s in enumerate(Evidence.Stance.values)),
    output_field=IntegerField(),
)


def home(request):
    review = Review.objects.select_related("publication").order_by("pk").first()
    topics = list(Topic.objects.annotate(n_claims=Count("claims")))
    counts = Claim.objects.order_by().values_list("topic_id", "status")
    disputed = Claim.objects.contested().select_related("topic").with_paper_counts()
    return render(
        request,
        "claims/home.html",
        {
            "review": review,
            "topics": topics,
            "overview": _status_overview(topics, counts.annotate(n=Count("pk"))),
            "disputed": disputed,
        },
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
    filters = ClaimFilters.from_params(request.GET)
    claims = filters.claims(
        Claim.objects.select_related("topic").order_by(
            "topic__position", "position", "slug"
        ),
        ranked=True,
    )
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = paper_counts_attach(list(page.object_list))
    return render(
        request,
        "claims/claim_list.html",
        {
            "filters": filters,
            "facets": filters.facets(),
            "page": page,
            "year_bounds": filters.year_bounds(),
            "export_url": _export_url(filters.querystring()),
        },
    )


def _export_url(querystring: str) -> str:
    return f"{EXPORT_URL}&{querystring}" if querystring else EXPORT_URL


@cached_page
def claim_detail(request, slug: str):
    claim = get_object_or_404(
        Claim.objects.select_related("topic").with_paper_counts(), slug=slug
    )
    evidence = list(
        claim.evidence.accepted()
        .select_related("publication")
        .order_by(STANCE_ORDER, "publication__year", "pk")
    )
    verdict = compute_status(evidence_facts(e) for e in evidence)
    retracted = {e.publication.pmid for e in evidence if e.publication.is_retracted}
    return render(
        request,
        "claims/claim_detail.html",
        {
            "claim": claim,
            "evidence": evidence,
            "rule": verdict.rule if verdict.status == claim.status else "",
            "n_retracted": len(retracted),
            "disagreement": (
                explain_disagreement(evidence) if claim.status in DISPUTED else None
            ),
        },
    )


def publication_detail(request, pmid: int):
    publication = get_object_or_404(Publication, pmid=pmid)
    evidence = (
        publication.evidence.accepted()
        .select_related("claim__topic")
        .order_by("claim__topic__position", "claim__position", STANCE_ORDER)
    )
    return render(
        request,
        "claims/publication_detail.html",
        {
            "publication": publication,
            "evidence": evidence,
            "is_source_review": Review.objects.filter(publication=publication).exists(),
            "is_review_article": "Review" in publication.publication_types,
        },
    )


def topic_detail(request, slug: str):
    topic = get_object_or_404(Topic.objects.select_related("review"), slug=slug)
    claims = topic.claims.select_related("topic").with_paper_counts()
    filters = ClaimFilters(values={"topic": topic.slug})
    return render(
        request,
        "claims/topic_detail.html",
        {
            "topic": topic,
            "claims": claims,
            "browse_query": filters.querystring(),
            "export_url": _export_url(filters.querystring()),
        },
    )


def search(request):
    q = ClaimFilters.from_params({"q": request.GET.get("q", "")}).q
    return render(
        request,
        "claims/search.html",
        {
            "q": q,
            "results": search_site(q, limit=SEARCH_LIMIT) if q else None,
            "browse_query": ClaimFilters(q=q).querystring(),
        },
    )


def methods(request):
    field = Evidence._meta.get_field
    return render(
        request,
        "claims/methods.html",
        {
            "rules": published_rules(),
            "min_papers": ESTABLISHED_MIN_PAPERS,
            "in_vivo": sorted(value_label("level", v) for v in IN_VIVO_LEVELS),
            "facets": [facet_label(f) for f in SEPARATING_FACETS],
            "definitions": [
                (field(name).verbose_name, field(name).help_text, field(name).choices)
                for name in ("stance", "effect", "level", "rating")
            ],
        },
    )

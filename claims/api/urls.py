"""REST API v1 under /api/v1/, with the OpenAPI schema and its docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims.api import views

router = DefaultRouter()
router.include_format_suffixes = False  # formats are chosen by ?format= or Accept
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("publications", views.PublicationViewSet, basename="publication")


def export_urls() -> list:
    """/api/v1/<list>/export.<ext>: each list's export formats, each its own
    operation (a generated client parses a response by its operation's one
    media type: with every format on the list's operation, it read BibTeX as
    JSON and crashed)."""
    urls = []
    for prefix, viewset, basename in router.registry:
        for renderer in viewset.export_renderers():
            view = viewset.as_view(
                {"get": "export_file"},
                basename=basename,
                export_format=renderer.format,
            )
            name = f"{basename}-export-{renderer.format}"
            urls.append(path(f"{prefix}/export.{renderer.extension}", view, name=name))
    return urls


v1 = [
    *export_urls(),
    *router.urls,
    path("info", views.InfoView.as_view(), name="info"),
    re_path(r"^.*$", views.not_found),
]

urlpatterns = [
    path("v1/", include((v1, "api"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own, so
    # the page runs under our Content-Security-Policy (no inline scripts).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema"),
        name="api-docs",
    ),
]

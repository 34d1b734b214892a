"""The reader's pages, at the URLs DESIGN.md fixes."""

from django.contrib.sitemaps import views as sitemaps
from django.urls import path

from claims.pages import releases, views
from claims.pages.feeds import ChangesFeed
from claims.pages.page_cache import cached_page
from claims.pages.sitemaps import SITEMAPS

app_name = "claims"

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<slug:slug>/", views.claim_detail, name="claim_detail"),
    path("evidence/<int:pk>/", views.evidence_permalink, name="evidence_permalink"),
    path(
        "publications/<int:pmid>/",
        views.publication_detail,
        name="publication_detail",
    ),
    path("publications/", views.publication_list, name="publication_list"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("search/", views.search, name="search"),
    path("methods/", views.methods, name="methods"),
    path("releases/", releases.release_list, name="release_list"),
    path("releases/latest/", releases.release_latest, name="release_latest"),
    path(
        "releases/latest/<str:filename>",
        releases.release_latest,
        name="release_latest_file",
    ),
    path("releases/<str:name>/", releases.release_detail, name="release_detail"),
    path("releases/<str:name>.zip", releases.release_zip, name="release_zip"),
    path(
        "releases/<str:name>/<str:filename>",
        releases.release_file,
        name="release_file",
    ),
    path("feeds/changes.atom", cached_page(ChangesFeed()), name="changes_feed"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        cached_page(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "claims:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cached_page(sitemaps.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]

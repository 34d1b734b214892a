"""The reader's pages, at the URLs DESIGN.md fixes."""

from django.urls import path

from claims.pages import views

app_name = "claims"

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<slug:slug>/", views.claim_detail, name="claim_detail"),
    path(
        "publications/<int:pmid>/",
        views.publication_detail,
        name="publication_detail",
    ),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("search/", views.search, name="search"),
    path("methods/", views.methods, name="methods"),
]
